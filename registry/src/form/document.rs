//! The form for the regions, in the project's own words: `docs/FORM.md` is this text,
//! written by `daryn form-doc` and checked by a test, so it never drifts from the code.

use std::fmt::Write;

use super::{ColumnType, Requirement, TableKind, Vocabulary};
use crate::enums::*;
use crate::error::{Explained, RejectCode, WarningCode};
use crate::lang::Lang;

/// Every accepted spelling of a vocabulary, per canonical code.
fn spellings(vocabulary: Vocabulary) -> Vec<(&'static str, Vec<&'static str>)> {
    fn all<T: Copy>(
        values: &[T],
        code: fn(T) -> &'static str,
        spell: impl Fn(T) -> Vec<&'static str>,
    ) -> Vec<(&'static str, Vec<&'static str>)> {
        values.iter().map(|&value| (code(value), spell(value))).collect()
    }
    macro_rules! of {
        ($enum:ident) => {
            all($enum::ALL, $enum::code, |value| value.spellings().skip(1).collect())
        };
    }
    match vocabulary {
        Vocabulary::Sex => of!(Sex),
        Vocabulary::AreaType => of!(AreaType),
        Vocabulary::YesNo => of!(YesNo),
        Vocabulary::InstructionLanguage => of!(InstructionLanguage),
        Vocabulary::TalentDomain => of!(TalentDomain),
        Vocabulary::IdentificationMethod => of!(IdentificationMethod),
        Vocabulary::RoadmapStatus => of!(RoadmapStatus),
        Vocabulary::MeasureType => of!(MeasureType),
        Vocabulary::MeasureStatus => of!(MeasureStatus),
        Vocabulary::FundingSource => of!(FundingSource),
        Vocabulary::EventKind => of!(EventKind),
        Vocabulary::Level => of!(Level),
        Vocabulary::AchievementResult => of!(AchievementResult),
    }
}

fn type_name(column_type: ColumnType) -> String {
    match column_type {
        ColumnType::Text => "text".to_owned(),
        ColumnType::Iin => "IIN (12 digits)".to_owned(),
        ColumnType::Date => "date".to_owned(),
        ColumnType::Int => "whole number".to_owned(),
        ColumnType::Decimal => "amount".to_owned(),
        ColumnType::Enum(vocabulary) => format!("one word: {vocabulary:?}"),
        ColumnType::EnumList(vocabulary) => format!("list of words: {vocabulary:?}"),
        ColumnType::List => "list".to_owned(),
        ColumnType::Kato => "KATO code or name".to_owned(),
    }
}

/// The whole form as Markdown.
pub fn markdown() -> String {
    let mut text = String::new();
    let _ = writeln!(text, "# The roadmap form and the nightly drop\n");
    let _ = writeln!(
        text,
        "This page is written by `daryn form-doc` from the code that checks the drops, so it is always what \
         the registry does. The contract it implements is ROADMAP-FORM.md (decree 997, items 7 and 19).\n"
    );
    let _ = writeln!(text, "## A drop\n");
    let _ = writeln!(
        text,
        "Each region sends, every night, its complete current export in a folder `<YYYY-MM-DD>/<region>/` \
         (the region as a 2- or 9-digit KATO code): `children` (required), `measures`, `achievements`, \
         `teachers` as `.csv`, `.xlsx` or `.jsonl` files, or one `roadmap.xlsx` with a sheet per table, or one \
         `roadmap.jsonl` with a nested document per child; and optionally `manifest.json` with the export time \
         (`exported_at`: `2026-11-24T23:10:00+05:00`; a time without a zone is Kazakhstan time) and each \
         file's rows and SHA-256. CSV may be UTF-8 (with or without BOM) or UTF-16 with BOM, with `,`, \
         `;` or tab. Title and blank rows may sit above the header: it must be among the first ten rows \
         that hold anything. In a workbook, a cell merged down several rows (an IIN over a child's measures, a \
         district over its children) counts on each of its rows. A workbook's sheets are found by their names \
         in any of the three languages, and every sheet named for a table is read, whatever the file's name. A \
         sheet named for no table is read by its header: as a table the workbook has no sheet for (`2026`, \
         `Іс-шаралар 2026`), or, when its name goes on from a table's (`Балалар (2)`), as that table, which is \
         then given twice; other sheets (notes, summaries) are not read. Headers may be the English names below or the Kazakh or Russian template headers, \
         in any case, with stray spaces. Dates: `2025-09-01`, `01.09.2025`, `1.9.2025`, date cells or Excel \
         serials (also of a workbook that counts from 1904), from 1900 to 2199 (a serial from 10000, 18 May \
         1927, on: a smaller number is taken for a year or a slip); a year alone (`2024`), also in a date \
         cell, is not a date. With `/`, a date is read only when its day cannot be taken for its month (`13/09/2025` and \
         `09/13/2025` are 13 September; `03/09/2025` is refused). A date may carry its time (`01.09.2025 0:00`); \
         with a zone of Kazakhstan (+05:00, or +06:00 before 2024) it is the date as written, with another \
         (`2025-08-31T19:00:00Z`) the date in Kazakhstan at that moment. Amounts: tenge, with `,` or `.` for decimals (`25000`, `25 000,50`); `25,000` or `1.500` is \
         refused, as it may mean twenty-five thousand; with both marks (`25,000.00`, `25.000,00`) the last is \
         the decimal one, and a mark given twice (`1,250,000`) separates thousands. Lists: separated by `;` or `,`; in JSONL also a JSON array, each of \
         whose items is one discipline even with a comma in it (words and IINs are split at `;` and `,` \
         still). In JSONL a text may be an array of parts (joined with `; `); an object, or an array where \
         the form has a date, number, word or IIN, makes the line unreadable. Rows are numbered as you see them: the \
         header is row 1, and blank rows and empty lines keep their numbers.\n"
    );
    for table in TableKind::ALL {
        let definition = table.definition();
        let _ = writeln!(
            text,
            "## Table `{}` — sheet `{}` / `{}`{}\n",
            table.name(),
            table.sheet_name(Lang::Kk),
            table.sheet_name(Lang::Ru),
            if table.is_required() { " (required)" } else { "" }
        );
        let _ = writeln!(
            text,
            "| column | Kazakh header | Russian header | type | required | what | не жазылады | что указывать |"
        );
        let _ = writeln!(text, "|---|---|---|---|---|---|---|---|");
        for column in definition.columns {
            let required = match column.requirement {
                Requirement::Required => "yes",
                Requirement::Optional => "no",
                Requirement::Conditional => "when the rule says",
            };
            let _ = writeln!(
                text,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
                column.name,
                column.header_kk,
                column.header_ru,
                type_name(column.column_type),
                required,
                column.help.en,
                column.help.kk,
                column.help.ru
            );
        }
        let _ = writeln!(text);
    }
    let _ = writeln!(text, "## Accepted words\n");
    let _ = writeln!(text, "Matching ignores case and surrounding spaces.\n");
    for vocabulary in [
        Vocabulary::Sex,
        Vocabulary::AreaType,
        Vocabulary::YesNo,
        Vocabulary::InstructionLanguage,
        Vocabulary::TalentDomain,
        Vocabulary::IdentificationMethod,
        Vocabulary::RoadmapStatus,
        Vocabulary::MeasureType,
        Vocabulary::MeasureStatus,
        Vocabulary::FundingSource,
        Vocabulary::EventKind,
        Vocabulary::Level,
        Vocabulary::AchievementResult,
    ] {
        let _ = writeln!(text, "### {vocabulary:?}\n");
        let _ = writeln!(text, "| code | also accepted |");
        let _ = writeln!(text, "|---|---|");
        for (code, others) in spellings(vocabulary) {
            let mut others: Vec<&str> = others;
            others.dedup();
            let _ = writeln!(text, "| `{code}` | {} |", others.join(", "));
        }
        let _ = writeln!(text);
    }
    let _ = writeln!(text, "Measure types and the decree items they carry out:\n");
    let _ = writeln!(text, "| measure_type | decree item |");
    let _ = writeln!(text, "|---|---|");
    for measure_type in MeasureType::ALL {
        let item = measure_type.decree_item().map(|item| item.to_string()).unwrap_or_else(|| "—".to_owned());
        let _ = writeln!(text, "| `{}` | {item} |", measure_type.code());
    }
    let _ = writeln!(
        text,
        "\nDisciplines are matched against the taxonomy (`daryn form-doc` lists no aliases here; see `registry/data/disciplines.csv`); an unknown discipline is kept as written and warned about.\n"
    );
    let _ = writeln!(text, "## Why a row is rejected\n");
    let _ = writeln!(
        text,
        "After each run, the region's coordinator gets `<region>-rejections.csv`: UTF-8 with a BOM and `;` between cells, so that Excel in Kazakh or Russian opens it with a double click. A row of it gives the file, sheet, the row as counted here (the header is row 1), the row Excel shows, the column (as the file's header names it, with the form's name in brackets when they differ: `Сынып (grade)`), the value and the code, with the message in Kazakh, Russian and English.\n"
    );
    let _ = writeln!(
        text,
        "Each rejected row is reported with its file, sheet, row, column, value (IINs masked) and one of these codes. A rejected child takes its measures and achievements with it (`child_rejected`).\n"
    );
    write_codes(&mut text, RejectCode::ALL);
    let _ = writeln!(text, "\n## A child in two regions\n");
    let _ = writeln!(
        text,
        "An IIN that two regions hold is not a rejected row: both rows stay in the region's data as sent, and the registry counts the child in the region whose export is newer (on the same export time, the lower region code). Both regions are told, in `<region>-conflicts.csv` beside the rejection file: the IIN (masked), the other region, which region keeps the child, and both export times.\n"
    );
    let _ = writeln!(text, "\n## Warnings: rows accepted, and reported all the same\n");
    let _ = writeln!(
        text,
        "A warned row is accepted with its value kept as written; the run lists it, with the same columns as a rejection, in the region's warnings file beside its rejection file.\n"
    );
    write_codes(&mut text, WarningCode::ALL);
    let _ = writeln!(text, "\n## Why a whole drop is refused\n");
    let _ = writeln!(
        text,
        "A refused drop leaves the region's published data untouched. When several apply, the first in this order is reported: the contract's order (stale, manifest, rejected children, shrink), with what must hold before a drop can be judged at all placed where it is checked. The coordinator's rejection file of a refused drop (`<region>-rejections.csv`) begins with a row that says the whole drop was refused, with the code, its meaning in the three languages and the particulars, before any rows the drop had rejected. A stale drop has no such file (an archive of old folders given to every run would have one each, every night): the run's table says it, and the region's rejections stay those of its latest drop.\n"
    );
    let _ = writeln!(text, "| code | English | Қазақша | По-русски |");
    let _ = writeln!(text, "|---|---|---|---|");
    for (code, [en, kk, ru]) in REFUSALS {
        let _ = writeln!(text, "| `{code}` | {en} | {kk} | {ru} |");
    }
    text
}

/// A table of codes with their explanation in English, Kazakh and Russian.
fn write_codes(text: &mut String, codes: &[impl Explained]) {
    let _ = writeln!(text, "| code | English | Қазақша | По-русски |");
    let _ = writeln!(text, "|---|---|---|---|");
    for &code in codes {
        let [en, kk, ru] = [Lang::En, Lang::Kk, Lang::Ru].map(|lang| code.describe(lang));
        let _ = writeln!(text, "| `{}` | {en} | {kk} | {ru} |", code.code());
    }
}

/// The refusal codes of a whole drop, in the order they are judged. The contract's
/// precedence (section 4: stale, manifest, rejected children, shrink) holds among its
/// four; a drop whose export time is unknown cannot be judged stale, and a table that
/// cannot be read cannot be compared with the manifest or checked.
pub const REFUSALS: [(&str, [&str; 3]); 11] = [
    (
        "not_a_drop",
        [
            "no manifest and no dated folder to give the export time",
            "манифест те, күні жазылған қалта да жоқ: экспорт уақыты белгісіз",
            "нет ни манифеста, ни папки с датой: время выгрузки неизвестно",
        ],
    ),
    (
        "manifest_invalid",
        [
            "`manifest.json` cannot be read, or names another region",
            "`manifest.json` оқылмайды немесе басқа өңірді көрсетеді",
            "`manifest.json` не читается или указывает другой регион",
        ],
    ),
    (
        "exported_in_future",
        [
            "the export time (the manifest's `exported_at`, or the folder's date) is more than an hour after the run: a drop that far ahead would make every correct drop after it stale",
            "экспорт уақыты (манифесттегі `exported_at` немесе қалтаның күні) тізілімнің өңдеу уақытынан бір сағаттан астам кейін: мұндай экспорт одан кейінгі дұрыс экспорттардың бәрін ескірген етер еді",
            "время выгрузки (`exported_at` манифеста или дата папки) более чем на час позже времени обработки в реестре: такая выгрузка сделала бы все следующие правильные выгрузки устаревшими",
        ],
    ),
    (
        "stale",
        [
            "the export is not newer than the drop the region holds, or a newer drop of the region in the same run stands in its place (when every newer one is refused for another reason, the older is read and applies if it can; an identical re-send is never refused: it changes no data, and when exported later than the drop the region holds, that later time becomes the region's, so an export older than it is then stale; an export the registry has already judged, its time and files the same, sent again when no longer newer, is not refused again either: it changes nothing)",
            "бұл экспорт тізілімдегі өңір деректерінен жаңа емес немесе оның орнына сол өңірдің жаңарақ экспорты алынды",
            "эта выгрузка не новее данных региона в реестре, или вместо неё принята более новая выгрузка того же региона",
        ],
    ),
    (
        "table_missing",
        ["there is no `children` table", "`children` (Балалар) кестесі жоқ", "нет таблицы `children` (Дети)"],
    ),
    (
        "table_ambiguous",
        [
            "a table is given twice with rows (`children.csv` and `children.xlsx`, `measures.csv` beside `roadmap.jsonl`, or two sheets named for it, such as `Балалар` and its copy `Балалар (2)`); a sheet or file holding only the header gives way to the other, and so does a sheet of a workbook named for another table (the whole template saved as `children.xlsx`) to a file named for its table",
            "бір кесте жолдарымен екі рет берілген (мысалы, `children.csv` пен `children.xlsx`, немесе бір кестеге арналған екі парақ: `Балалар` және оның көшірмесі `Балалар (2)`)",
            "одна таблица передана со строками дважды (например, `children.csv` и `children.xlsx`, или два листа одной таблицы: `Дети` и его копия `Дети (2)`)",
        ],
    ),
    (
        "table_unreadable",
        [
            "a data file cannot be read at all, has no header row (an empty CSV file too: a table without rows is sent as its header alone, or left out), or has a quote left open that would read the rows below it into one cell or that the file ends in",
            "деректер файлы мүлде оқылмайды, онда тақырып жолы жоқ (бос CSV файлы да: жолы жоқ кесте тек тақырыбымен жіберіледі немесе мүлде жіберілмейді), немесе жабылмаған тырнақша астындағы жолдарды бір ұяшыққа біріктіреді не файл соңына дейін жабылмайды",
            "файл данных не читается, в нём нет строки заголовков (пустой CSV-файл тоже: таблица без строк передаётся одной строкой заголовков или не передаётся), или незакрытая кавычка сливает строки ниже в одну ячейку либо не закрыта до конца файла",
        ],
    ),
    (
        "io",
        [
            "a file of the drop cannot be read from the disk",
            "экспорт файлы дискіден оқылмайды",
            "файл выгрузки не читается с диска",
        ],
    ),
    (
        "manifest_mismatch",
        [
            "`manifest.json` disagrees with the files: a listed file is missing, or its rows or SHA-256 differ",
            "`manifest.json` файлдармен сәйкес келмейді: тізімдегі файл жоқ немесе оның жол саны не SHA-256 басқа",
            "`manifest.json` не совпадает с файлами: файла из списка нет, или у него другое число строк или SHA-256",
        ],
    ),
    (
        "too_many_rejected",
        [
            "more than 20 % of the children rows are rejected",
            "балалар жолдарының 20 %-дан астамы қабылданбады",
            "отклонено более 20 % строк детей",
        ],
    ),
    (
        "shrink",
        [
            "the drop would remove more than 20 % of the region's current children (the operator may allow it with `--allow-shrink REGION`)",
            "экспорт өңірдің тізілімдегі балаларының 20 %-дан астамын алып тастар еді (оператор `--allow-shrink REGION` арқылы рұқсат бере алады)",
            "выгрузка удалила бы более 20 % детей региона, которые сейчас в реестре (оператор может разрешить это через `--allow-shrink REGION`)",
        ],
    ),
];

/// What a drop's refusal code means, in English, Kazakh and Russian ([`REFUSALS`]).
pub fn refusal_texts(code: &str) -> Option<[&'static str; 3]> {
    REFUSALS.iter().find(|(known, _)| *known == code).map(|(_, texts)| *texts)
}
