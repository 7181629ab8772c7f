//! The children table's rules: each column in the form's order, then the rules that
//! join columns (the region and district, the age for the grade).

use super::*;

/// Checks one children row.
pub fn check_child(cells: &mut [Cell], context: &DropContext<'_>) -> Checked<(Child, Vec<RowWarning>)> {
    let row = Row { table: &CHILDREN, cells };
    let mut warnings = Vec::new();
    let iin = row.iin("iin")?;
    row.required("last_name")?;
    row.required("first_name")?;
    let birth_date = row.date("birth_date")?;
    let sex = row.optional_word("sex", Sex::parse)?;
    check_region(&row, context)?;
    let district = check_district(&row, context)?;
    let area_type = row.word("area_type", AreaType::parse)?;
    row.required("school_code")?;
    row.required("school_name")?;
    let grade = check_grade(&row)?;
    let instruction_language = row.optional_word("instruction_language", InstructionLanguage::parse)?;
    let large_family = row.boolean("large_family")?;
    let low_income = row.boolean("low_income")?;
    let talent_domains = check_domains(&row)?;
    let disciplines = check_disciplines(&row, &mut warnings)?;
    let identified_on = row.date("identified_on")?;
    let identification_method = row.word("identification_method", IdentificationMethod::parse)?;
    row.required("coordinator")?;
    let consent_on = row.optional_date("consent_on")?;
    let roadmap_status = row.optional_word("roadmap_status", RoadmapStatus::parse)?.unwrap_or(RoadmapStatus::Active);

    if iin.birth_date() != birth_date {
        // The IIN's date, century included: its six digits are shown anyway, and a wrong
        // century digit (1907 for 2007) is otherwise invisible behind the mask.
        let encoded = iin.birth_date().format("%d.%m.%Y");
        let detail = Detail::said(
            format!("the birth date is not the one in the IIN, {encoded}"),
            format!("ЖСН бойынша туған күні: {encoded}"),
            format!("по ИИН дата рождения: {encoded}"),
        );
        return Err(row.issue("birth_date", RejectCode::IinMismatch, detail));
    }
    let sex = match sex {
        Some(given) if given != iin.sex() => {
            let detail = Detail::said(
                "the sex is not the one in the IIN",
                "жынысы ЖСН-ге сәйкес келмейді",
                "пол не совпадает с ИИН",
            );
            return Err(row.issue("sex", RejectCode::IinMismatch, detail));
        }
        Some(given) => given,
        None => iin.sex(),
    };
    let age = age_on(birth_date, context.export_date);
    if !(5..=19).contains(&age) {
        let day = context.export_day();
        // Born after the export, the child has no age yet: said so, not "-1".
        let detail = if birth_date > context.export_date {
            Detail::said(
                format!("born after the export date, {day}"),
                format!("туған күні экспорт күнінен ({day}) кейін"),
                format!("дата рождения позже даты выгрузки ({day})"),
            )
        } else {
            Detail::said(
                format!("the child is {age} on the export date, {day}"),
                format!("экспорт күні ({day}) бала {age} жаста"),
                format!("на дату выгрузки ({day}) ребёнку {age} {}", years_ru(age)),
            )
        };
        return Err(row.issue("birth_date", RejectCode::AgeOutOfRange, detail));
    }
    if identified_on > context.export_date {
        let detail = after_export(context, "identified after the export date");
        return Err(row.issue("identified_on", RejectCode::DateInFuture, detail));
    }
    if age_on(birth_date, identified_on) < 4 {
        return Err(row.issue("identified_on", RejectCode::IdentifiedTooEarly, "identified before the age of 4"));
    }
    if area_type == AreaType::Urban && !large_family && !low_income {
        return Err(row.issue("area_type", RejectCode::OutOfScope, "urban, not a large family, not low-income"));
    }
    let mut texts = Texts { table: &CHILDREN, cells };
    let child = Child {
        iin,
        last_name: title_cased(texts.required("last_name")),
        first_name: title_cased(texts.required("first_name")),
        patronymic: texts.optional("patronymic").map(title_cased),
        birth_date,
        sex,
        district,
        locality: texts.optional("locality"),
        area_type,
        school_code: texts.required("school_code"),
        school_name: texts.required("school_name"),
        grade,
        instruction_language,
        large_family,
        low_income,
        talent_domains,
        disciplines,
        identified_on,
        identification_method,
        coordinator: texts.required("coordinator"),
        consent_on,
        interests: texts.optional("interests"),
        roadmap_status,
    };
    Ok((child, warnings))
}

fn check_region(row: &Row<'_>, context: &DropContext<'_>) -> Checked<()> {
    let cell = row.cell("region");
    if cell.is_empty() {
        return Ok(());
    }
    // A KATO code, in a numeric cell or as text, names the region of its first two
    // digits (a district's code included); anything else is a region's name.
    let given = match cell {
        Cell::Number(number) => KatoCode::from_number(*number).map(|code| vec![code.region()]).unwrap_or_default(),
        other => {
            let text = other.shown();
            match KatoCode::parse(&text) {
                Some(code) => vec![code.region()],
                None => Region::lookup(&text).iter().map(|region| region.code).collect(),
            }
        }
    };
    if given.contains(&context.region) {
        Ok(())
    } else {
        let detail = in_drop_region(context, format!("the drop is for region `{}`", context.region));
        Err(row.issue("region", RejectCode::RegionMismatch, detail))
    }
}

/// "The date is after the export date": that date, in each language.
pub(super) fn after_export(context: &DropContext<'_>, en: &str) -> Detail {
    let day = context.export_day();
    Detail::said(format!("{en}, {day}"), format!("экспорт күні — {day}"), format!("дата выгрузки — {day}"))
}

/// The drop's region as messages name it: "Қарағанды облысы", "г. Алматы".
fn region_name(context: &DropContext<'_>, lang: Lang) -> String {
    context.region.region().full_name(lang)
}

/// "Not the drop's region": which region that is, in each language.
fn in_drop_region(context: &DropContext<'_>, en: String) -> Detail {
    Detail::said(
        en,
        format!("экспорт өңірі — {}", region_name(context, Lang::Kk)),
        format!("регион выгрузки — {}", region_name(context, Lang::Ru)),
    )
}

/// The Russian word for years after a number: 1 год, 2 года, 5 лет, 11 лет, 21 год.
pub(super) fn years_ru(count: i32) -> &'static str {
    let count = count.unsigned_abs();
    match (count % 10, count % 100) {
        (_, 11..=14) => "лет",
        (1, _) => "год",
        (2..=4, _) => "года",
        _ => "лет",
    }
}

fn check_district(row: &Row<'_>, context: &DropContext<'_>) -> Checked<KatoCode> {
    let cell = row.required("district")?;
    let code = match cell {
        Cell::Number(number) => KatoCode::from_number(*number),
        other => KatoCode::parse(&other.shown()),
    };
    let Some(code) = code else {
        let Some(classifier) = context.classifier else {
            let detail = Detail::said(
                "a district's name is read only with the KATO classifier, which this registry has not been given; \
                 write its nine-digit KATO code",
                "аудан атауы тек ӘАОЖ (КАТО) жіктеуіші берілген тізілімде оқылады; ауданның тоғыз таңбалы кодын жазыңыз",
                "название района читается, только если реестру дан классификатор КАТО; укажите девятизначный код района",
            );
            return Err(row.issue("district", RejectCode::DistrictUnknown, detail));
        };
        return classifier.find_by_name(context.region, &cell.display()).ok_or_else(|| {
            let detail = Detail::said(
                format!("no district of that name in region `{}`", context.region),
                format!("бұл өңірде ({}) мұндай атаулы аудан жоқ", region_name(context, Lang::Kk)),
                format!("в этом регионе ({}) нет района с таким названием", region_name(context, Lang::Ru)),
            );
            row.issue("district", RejectCode::DistrictUnknown, detail)
        });
    };
    if code.region() != context.region {
        let detail = in_drop_region(context, format!("`{code}` is not in region `{}`", context.region));
        return Err(row.issue("district", RejectCode::DistrictOutsideRegion, detail));
    }
    if code.is_region() {
        let detail = Detail::said(
            "a region's code, not a district's",
            "бұл ауданның емес, өңірдің коды",
            "это код региона, а не района",
        );
        return Err(row.issue("district", RejectCode::DistrictUnknown, detail));
    }
    if let Some(classifier) = context.classifier
        && classifier.get(code).is_none()
    {
        let detail = Detail::said(
            format!("`{code}` is not in the KATO classifier"),
            format!("`{code}` коды ӘАОЖ (КАТО) жіктеуішінде жоқ"),
            format!("кода `{code}` нет в классификаторе КАТО"),
        );
        return Err(row.issue("district", RejectCode::DistrictUnknown, detail));
    }
    Ok(code)
}

fn check_grade(row: &Row<'_>) -> Checked<u8> {
    let cell = row.required("grade")?;
    let grade =
        cell::parse_int(cell).ok_or_else(|| row.issue("grade", RejectCode::IntInvalid, "not a whole number"))?;
    u8::try_from(grade)
        .ok()
        .filter(|grade| *grade <= 12)
        .ok_or_else(|| row.issue("grade", RejectCode::GradeOutOfRange, format!("grade {grade}")))
}

fn check_domains(row: &Row<'_>) -> Checked<Vec<TalentDomain>> {
    let cell = row.required("talent_domains")?;
    let mut domains = Vec::new();
    for item in cell::word_items(cell) {
        let domain = TalentDomain::parse(&item).ok_or_else(|| {
            row.issue("talent_domains", RejectCode::EnumInvalid, format!("`{item}` is not a talent domain"))
        })?;
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if domains.is_empty() {
        return Err(row.issue("talent_domains", RejectCode::ListEmpty, "no talent domain given"));
    }
    Ok(domains)
}

fn check_disciplines(row: &Row<'_>, warnings: &mut Vec<RowWarning>) -> Checked<Vec<DisciplineRef>> {
    let cell = row.required("disciplines")?;
    let mut disciplines: Vec<DisciplineRef> = Vec::new();
    for item in cell::list_items(cell) {
        let resolved = DisciplineRef::resolve(&item);
        warn_unknown("disciplines", &resolved, warnings);
        if !disciplines.contains(&resolved) {
            disciplines.push(resolved);
        }
    }
    if disciplines.is_empty() {
        return Err(row.issue("disciplines", RejectCode::ListEmpty, "no discipline given"));
    }
    Ok(disciplines)
}
