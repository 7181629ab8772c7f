//! Errors of the registry crate, and the stable codes of row rejections.

use std::path::PathBuf;

use crate::lang::Lang;

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read `{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("KATO classifier `{path}`: {reason}")]
    Classifier { path: PathBuf, reason: String },
    #[error("`{value}` is not a {kind}")]
    UnknownWord { kind: &'static str, value: String },
}

macro_rules! reject_codes {
    ($( $variant:ident = $code:literal { en: $en:literal, kk: $kk:literal, ru: $ru:literal } ),+ $(,)?) => {
        /// Why a row is rejected. The codes are stable: regions script against them,
        /// so a code is never renamed or reused; new ones are only added.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RejectCode { $( $variant ),+ }

        impl RejectCode {
            pub const ALL: &'static [RejectCode] = &[ $( RejectCode::$variant ),+ ];

            pub fn code(self) -> &'static str {
                match self { $( RejectCode::$variant => $code ),+ }
            }

            /// The general explanation of the code, in one language.
            pub fn describe(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $( (RejectCode::$variant, Lang::En) => $en,
                       (RejectCode::$variant, Lang::Kk) => $kk,
                       (RejectCode::$variant, Lang::Ru) => $ru, )+
                }
            }

            pub fn parse(code: &str) -> Option<RejectCode> {
                RejectCode::ALL.iter().copied().find(|candidate| candidate.code() == code)
            }
        }

        impl std::fmt::Display for RejectCode {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.code())
            }
        }
    };
}

reject_codes! {
    RequiredMissing = "required_missing" {
        en: "a required value is empty",
        kk: "міндетті мән толтырылмаған",
        ru: "не заполнено обязательное значение" },
    IinFormat = "iin_format" {
        en: "an IIN must be exactly 12 digits",
        kk: "ЖСН дәл 12 цифрдан тұруы керек",
        ru: "ИИН должен состоять ровно из 12 цифр" },
    IinBirthDate = "iin_birth_date" {
        en: "the IIN does not encode a real birth date and century",
        kk: "ЖСН-де нақты туған күн мен ғасыр көрсетілмеген",
        ru: "в ИИН несуществующая дата рождения или неверная цифра века" },
    IinCheckDigit = "iin_check_digit" {
        en: "the IIN's check digit is wrong",
        kk: "ЖСН-нің бақылау цифры қате",
        ru: "неверная контрольная цифра ИИН" },
    IinMismatch = "iin_mismatch" {
        en: "the birth date or sex disagrees with the IIN",
        kk: "туған күні немесе жынысы ЖСН-мен сәйкес келмейді",
        ru: "дата рождения или пол не совпадают с ИИН" },
    DateInvalid = "date_invalid" {
        en: "the date cannot be read (write 2025-09-01 or 01.09.2025)",
        kk: "күні танылмады (2025-09-01 немесе 01.09.2025 түрінде жазыңыз)",
        ru: "дата не распознана (пишите 2025-09-01 или 01.09.2025)" },
    DateInFuture = "date_in_future" {
        en: "the date is after the export date",
        kk: "күн экспорт күнінен кейін",
        ru: "дата позже даты выгрузки" },
    AgeOutOfRange = "age_out_of_range" {
        en: "the child must be 5 to 19 years old on the export date",
        kk: "бала экспорт күні 5 пен 19 жас аралығында болуы керек",
        ru: "ребёнку на дату выгрузки должно быть от 5 до 19 лет" },
    IdentifiedTooEarly = "identified_too_early" {
        en: "identified before the child was 4",
        kk: "бала 4 жасқа толмай тұрып анықталған",
        ru: "выявлен до 4 лет" },
    EnumInvalid = "enum_invalid" {
        en: "not one of the allowed words",
        kk: "рұқсат етілген сөздердің бірі емес",
        ru: "не входит в список допустимых значений" },
    BoolInvalid = "bool_invalid" {
        en: "the value must be yes or no",
        kk: "мән «иә» немесе «жоқ» болуы керек",
        ru: "значение должно быть «да» или «нет»" },
    IntInvalid = "int_invalid" {
        en: "not a whole number",
        kk: "бүтін сан емес",
        ru: "не целое число" },
    GradeOutOfRange = "grade_out_of_range" {
        en: "the grade must be 0 to 12",
        kk: "сынып 0 мен 12 аралығында болуы керек",
        ru: "класс должен быть от 0 до 12" },
    AmountInvalid = "amount_invalid" {
        en: "the amount must be a number of tenge, 0 or more",
        kk: "сома теңгемен, 0-ден кем емес сан болуы керек",
        ru: "сумма должна быть числом тенге не меньше 0" },
    AmountRequired = "amount_required" {
        en: "scholarships, grants and health-camp vouchers need an amount",
        kk: "стипендия, грант және сауықтыру жолдамасы үшін сома көрсетілуі керек",
        ru: "для стипендии, гранта и путёвки нужно указать сумму" },
    RegionMismatch = "region_mismatch" {
        en: "the region is not the drop's region",
        kk: "облыс экспорт жіберген өңірге сәйкес келмейді",
        ru: "область не совпадает с регионом выгрузки" },
    DistrictUnknown = "district_unknown" {
        en: "the district is not recognised (write the district's nine-digit KATO code)",
        kk: "аудан анықталмады (ауданның тоғыз таңбалы ӘАОЖ (КАТО) кодын жазыңыз)",
        ru: "район не распознан (укажите девятизначный код КАТО района)" },
    DistrictOutsideRegion = "district_outside_region" {
        en: "the district does not lie in the drop's region",
        kk: "аудан экспорт жіберген өңірге жатпайды",
        ru: "район не относится к региону выгрузки" },
    ListEmpty = "list_empty" {
        en: "the list needs at least one value",
        kk: "тізімде кемінде бір мән болуы керек",
        ru: "в списке должно быть хотя бы одно значение" },
    OutOfScope = "out_of_scope" {
        en: "an urban child from neither a large nor a low-income family is outside the decree's target groups",
        kk: "көп балалы да, аз қамтылған да емес отбасынан шыққан қала баласы қаулының нысаналы топтарына кірмейді",
        ru: "городской ребёнок не из многодетной и не из малообеспеченной семьи не входит в целевые группы постановления" },
    DuplicateKey = "duplicate_key" {
        en: "an IIN or code that may be in this table only once is on an earlier row too",
        kk: "кестеде бір рет қана болуы тиіс ЖСН немесе код жоғарыдағы бір жолда да бар",
        ru: "ИИН или код, который может быть в таблице только один раз, уже есть в одной из строк выше" },
    ChildUnknown = "child_unknown" {
        en: "no child with this IIN in the drop",
        kk: "экспортта мұндай ЖСН-і бар бала жоқ",
        ru: "в выгрузке нет ребёнка с таким ИИН" },
    ChildRejected = "child_rejected" {
        en: "the child's own row was rejected, so this row goes with it",
        kk: "баланың жолы қабылданбады, сондықтан бұл жол да қабылданбайды",
        ru: "строка ребёнка отклонена, поэтому отклонена и эта строка" },
    TeacherUnknown = "teacher_unknown" {
        en: "no teacher with this IIN in the drop",
        kk: "экспортта мұндай ЖСН-і бар мұғалім жоқ",
        ru: "в выгрузке нет педагога с таким ИИН" },
    EndBeforeStart = "end_before_start" {
        en: "the planned end is before the planned start",
        kk: "жоспарлы аяқталу күні басталу күнінен бұрын",
        ru: "плановая дата окончания раньше даты начала" },
    CompletedOnRequired = "completed_on_required" {
        en: "a done measure needs its completion date",
        kk: "орындалған шараның орындалған күні көрсетілуі керек",
        ru: "для выполненной меры нужна дата выполнения" },
    RowUnreadable = "row_unreadable" {
        en: "the record cannot be read (broken quoting, not a JSON object, or a JSON value of the wrong shape)",
        kk: "жазбаны оқу мүмкін емес (тырнақшалар бұзылған, JSON объектісі емес немесе JSON мәнінің пішіні қате)",
        ru: "запись не читается (нарушены кавычки, это не объект JSON или значение JSON не того вида)" },
}

/// A stable code told to the regions with its explanation in each language: why a row is
/// rejected ([`RejectCode`]) or warned about ([`WarningCode`]).
pub trait Explained: Copy {
    fn code(self) -> &'static str;
    fn describe(self, lang: Lang) -> &'static str;
}

impl Explained for RejectCode {
    fn code(self) -> &'static str {
        RejectCode::code(self)
    }

    fn describe(self, lang: Lang) -> &'static str {
        RejectCode::describe(self, lang)
    }
}

impl Explained for WarningCode {
    fn code(self) -> &'static str {
        WarningCode::code(self)
    }

    fn describe(self, lang: Lang) -> &'static str {
        WarningCode::describe(self, lang)
    }
}

/// Why an accepted row is reported all the same: the value is kept as written, and the
/// coordinator may want to correct it. Stable like [`RejectCode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WarningCode {
    DisciplineUnknown,
}

impl WarningCode {
    pub const ALL: &'static [WarningCode] = &[WarningCode::DisciplineUnknown];

    pub fn code(self) -> &'static str {
        match self {
            WarningCode::DisciplineUnknown => "discipline_unknown",
        }
    }

    pub fn describe(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (WarningCode::DisciplineUnknown, Lang::En) => {
                "not a discipline of the taxonomy: kept as written, the row is accepted"
            }
            (WarningCode::DisciplineUnknown, Lang::Kk) => "пәндер тізімінде жоқ: жазылғандай сақталды, жол қабылданды",
            (WarningCode::DisciplineUnknown, Lang::Ru) => {
                "нет в перечне дисциплин: сохранено как написано, строка принята"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_explained_in_three_languages() {
        let mut seen = std::collections::HashSet::new();
        for &code in RejectCode::ALL {
            assert!(seen.insert(code.code()), "{code} twice");
            assert!(code.code().chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
            assert_eq!(RejectCode::parse(code.code()), Some(code));
            for lang in Lang::ALL {
                assert!(!code.describe(lang).is_empty());
            }
        }
    }
}
