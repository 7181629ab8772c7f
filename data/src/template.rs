//! The roadmap form (item 7 of decree 997) as an XLSX template that a regional
//! coordinator fills in and sends back as `roadmap.xlsx` (ROADMAP-FORM.md sections 1, 2
//! and 6).
//!
//! The workbook holds, in order:
//! 1. an explanation sheet ([`explanation_sheet_name`]): what the form is, how to fill
//!    it in, and every column of every table with its header, whether it is required,
//!    what goes in it and the words it allows;
//! 2. the four tables of [`TableKind::ALL`], one sheet each, named and headed in the
//!    chosen language, with drop-down lists on enum columns and date, text and number
//!    formats on the columns that need them;
//! 3. when a vocabulary is too long for an inline drop-down list, a hidden sheet
//!    [`LISTS_SHEET_NAME`] holding its words.
//!
//! Everything the template says about columns comes from `daryn_registry::form`; only
//! the template's own sentences live here ([`texts`]). Reading filled-in templates back
//! is `daryn-ingest`'s job.

mod texts;

use std::path::Path;

use daryn_registry::form::{ColumnDef, ColumnType, Requirement, TableKind, Vocabulary};
use daryn_registry::{Lang, RejectCode};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, FormatBorder, Formula,
    Workbook, Worksheet, XlsxError, utility::worksheet_range_absolute,
};

use crate::{Error, Result};
use texts::TemplateTexts;

/// The last worksheet row (1-based, as Excel shows it) that carries the table sheets'
/// drop-down lists and prompts: Excel's last row, as a region's measures run to tens of
/// thousands of rows (a range is one `sqref`, whatever its length).
pub const LAST_TEMPLATE_ROW: u32 = 1_048_576;

/// The hidden sheet holding the words of vocabularies too long for an inline list.
/// Readers of filled-in templates ignore it, like the explanation sheet.
pub const LISTS_SHEET_NAME: &str = "lists";

/// Excel's limit on an inline drop-down list, commas included, in UTF-16 units.
const INLINE_LIST_LIMIT: usize = 255;

/// Excel's limit on a data validation prompt, in UTF-16 units.
const PROMPT_LIMIT: usize = 255;

/// Header fill of the columns required on every row.
const REQUIRED_FILL: u32 = 0xF8CBAD;
/// Header fill of the columns required on some rows only.
const CONDITIONAL_FILL: u32 = 0xFFE699;
/// Header fill of the optional columns.
const OPTIONAL_FILL: u32 = 0xD9D9D9;

/// Writes the roadmap form template in `lang` to `path`, replacing any file there.
pub fn write_template(lang: Lang, path: &Path) -> Result<()> {
    build_template(lang).and_then(|mut workbook| workbook.save(path)).map_err(Error::xlsx(path))
}

/// The name of the explanation sheet, the template's first sheet, in `lang`.
pub fn explanation_sheet_name(lang: Lang) -> &'static str {
    TemplateTexts::for_lang(lang).explanation_sheet_name
}

/// Builds the whole workbook in memory.
fn build_template(lang: Lang) -> std::result::Result<Workbook, XlsxError> {
    let formats = TemplateFormats::new();
    let mut value_lists = ValueLists::new(lang)?;
    let explanation_sheet = build_explanation_sheet(lang, &formats)?;
    let mut table_sheets = Vec::with_capacity(TableKind::ALL.len());
    for table in TableKind::ALL {
        table_sheets.push(build_table_sheet(table, lang, &formats, &mut value_lists)?);
    }

    let mut workbook = Workbook::new();
    workbook.push_worksheet(explanation_sheet);
    for table_sheet in table_sheets {
        workbook.push_worksheet(table_sheet);
    }
    if let Some(lists_sheet) = value_lists.into_sheet() {
        workbook.push_worksheet(lists_sheet);
    }
    Ok(workbook)
}

/// The cell formats the template uses, created once.
struct TemplateFormats {
    title: Format,
    note: Format,
    required_header: Format,
    conditional_header: Format,
    optional_header: Format,
    top_aligned: Format,
    wrapped_text: Format,
    required_cell: Format,
    conditional_cell: Format,
    text_column: Format,
    date_column: Format,
    integer_column: Format,
    decimal_column: Format,
}

impl TemplateFormats {
    fn new() -> TemplateFormats {
        let header = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        TemplateFormats {
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic(),
            required_header: header.clone().set_background_color(Color::RGB(REQUIRED_FILL)),
            conditional_header: header.clone().set_background_color(Color::RGB(CONDITIONAL_FILL)),
            optional_header: header.set_background_color(Color::RGB(OPTIONAL_FILL)),
            top_aligned: Format::new().set_align(FormatAlign::Top),
            wrapped_text: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            required_cell: Format::new().set_align(FormatAlign::Top).set_background_color(Color::RGB(REQUIRED_FILL)),
            conditional_cell: Format::new()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(CONDITIONAL_FILL)),
            text_column: Format::new().set_num_format("@"),
            date_column: Format::new().set_num_format("dd.mm.yyyy"),
            integer_column: Format::new().set_num_format("0"),
            decimal_column: Format::new().set_num_format("#,##0.00"),
        }
    }

    /// The header format showing whether a column is required.
    fn header(&self, requirement: Requirement) -> &Format {
        match requirement {
            Requirement::Required => &self.required_header,
            Requirement::Conditional => &self.conditional_header,
            Requirement::Optional => &self.optional_header,
        }
    }

    /// The explanation sheet's "required" cell: coloured like the matching headers.
    fn requirement_cell(&self, requirement: Requirement) -> &Format {
        match requirement {
            Requirement::Required => &self.required_cell,
            Requirement::Conditional => &self.conditional_cell,
            Requirement::Optional => &self.top_aligned,
        }
    }

    /// The format of a table column's data cells: dates as dates, numbers as numbers,
    /// and everything else as text, so that IINs, codes and KATO keep their leading
    /// zeros and `true` or `1-2` stay what was typed.
    fn column(&self, column_type: ColumnType) -> &Format {
        match column_type {
            ColumnType::Date => &self.date_column,
            ColumnType::Int => &self.integer_column,
            ColumnType::Decimal => &self.decimal_column,
            ColumnType::Text
            | ColumnType::Iin
            | ColumnType::Enum(_)
            | ColumnType::EnumList(_)
            | ColumnType::List
            | ColumnType::Kato => &self.text_column,
        }
    }
}

/// Writes the explanation sheet: title, introduction, colour note, then one row per
/// column of every table.
fn build_explanation_sheet(lang: Lang, formats: &TemplateFormats) -> std::result::Result<Worksheet, XlsxError> {
    let texts = TemplateTexts::for_lang(lang);
    let mut sheet = Worksheet::new();
    sheet.set_name(texts.explanation_sheet_name)?;

    let mut row = 0;
    sheet.write_string_with_format(row, 0, texts.title, &formats.title)?;
    row += 1;
    for line in texts.introduction {
        sheet.write_string(row, 0, *line)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, texts.colour_note, &formats.note)?;
    row += 2;

    let headings = [
        texts.sheet_heading,
        texts.column_heading,
        texts.required_heading,
        texts.explanation_heading,
        texts.allowed_values_heading,
    ];
    let heading_row = row;
    for (column_index, heading) in (0u16..).zip(headings) {
        sheet.write_string_with_format(heading_row, column_index, heading, &formats.optional_header)?;
    }
    row += 1;

    for table in TableKind::ALL {
        for column in table.definition().columns {
            sheet.write_string_with_format(row, 0, table.sheet_name(lang), &formats.top_aligned)?;
            sheet.write_string_with_format(row, 1, column.header(lang), &formats.top_aligned)?;
            sheet.write_string_with_format(
                row,
                2,
                texts.requirement_word(column.requirement),
                formats.requirement_cell(column.requirement),
            )?;
            sheet.write_string_with_format(row, 3, column.help.get(lang), &formats.wrapped_text)?;
            if let Some(vocabulary) = vocabulary_of(column) {
                let allowed_words = vocabulary.words(lang).join(", ");
                sheet.write_string_with_format(row, 4, allowed_words, &formats.wrapped_text)?;
            }
            row += 1;
        }
    }

    for (column_index, width) in (0u16..).zip([16.0, 30.0, 16.0, 70.0, 60.0]) {
        sheet.set_column_width(column_index, width)?;
    }
    sheet.set_freeze_panes(heading_row + 1, 0)?;
    sheet.autofilter(heading_row, 0, row - 1, 4)?;
    Ok(sheet)
}

/// Writes one table's sheet: the header row, column formats and widths, drop-down
/// lists and prompts.
fn build_table_sheet(
    table: TableKind,
    lang: Lang,
    formats: &TemplateFormats,
    value_lists: &mut ValueLists,
) -> std::result::Result<Worksheet, XlsxError> {
    let texts = TemplateTexts::for_lang(lang);
    let columns = table.definition().columns;
    let mut sheet = Worksheet::new();
    sheet.set_name(table.sheet_name(lang))?;

    let first_data_row = 1;
    let last_data_row = LAST_TEMPLATE_ROW - 1;
    for (column_index, column) in (0u16..).zip(columns) {
        sheet.write_string_with_format(0, column_index, column.header(lang), formats.header(column.requirement))?;
        sheet.set_column_format(column_index, formats.column(column.column_type))?;
        sheet.set_column_width(column_index, column_width(column, lang))?;

        let validation = match column.column_type {
            ColumnType::Enum(vocabulary) => Some(
                drop_down_list(vocabulary, value_lists)?
                    .set_error_title(texts.list_error_title)?
                    .set_error_message(texts.list_error_message)?,
            ),
            ColumnType::EnumList(vocabulary) => Some(several_values_prompt(vocabulary, lang)?),
            // What Excel can check as it is typed: a grade is a whole number from 0 to 12,
            // an IIN twelve characters (the column is text, so digits stay digits).
            ColumnType::Int if column.name == "grade" => Some(
                DataValidation::new()
                    .allow_whole_number(DataValidationRule::Between(0, 12))
                    .set_error_title(error_title(column, lang))?
                    .set_error_message(RejectCode::GradeOutOfRange.describe(lang))?,
            ),
            // A warning, not a stop: the registry also reads `010101 500127`.
            ColumnType::Iin => Some(
                DataValidation::new()
                    .allow_text_length(DataValidationRule::EqualTo(12))
                    .set_error_style(DataValidationErrorStyle::Warning)
                    .set_error_title(error_title(column, lang))?
                    .set_error_message(RejectCode::IinFormat.describe(lang))?,
            ),
            _ => None,
        };
        if let Some(validation) = validation {
            sheet.add_data_validation(first_data_row, column_index, last_data_row, column_index, &validation)?;
        }
    }

    let last_column = u16::try_from(columns.len() - 1).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, 0, last_column)?;
    Ok(sheet)
}

/// A column's header as the title of Excel's error box (at most 32 characters).
fn error_title(column: &ColumnDef, lang: Lang) -> String {
    column.header(lang).chars().take(32).collect()
}

/// The vocabulary a column draws its words from, if any.
fn vocabulary_of(column: &ColumnDef) -> Option<Vocabulary> {
    match column.column_type {
        ColumnType::Enum(vocabulary) | ColumnType::EnumList(vocabulary) => Some(vocabulary),
        _ => None,
    }
}

/// A column wide enough for its header (and the filter button) and for a typical value.
fn column_width(column: &ColumnDef, lang: Lang) -> f64 {
    let header_width = column.header(lang).chars().count() + 4;
    let value_width = match column.column_type {
        ColumnType::Iin | ColumnType::Kato => 15,
        ColumnType::Date => 12,
        ColumnType::Int => 8,
        ColumnType::Decimal => 14,
        ColumnType::Text | ColumnType::List => 20,
        ColumnType::Enum(vocabulary) | ColumnType::EnumList(vocabulary) => {
            let longest_word = vocabulary.words(lang).iter().map(|word| word.chars().count()).max();
            longest_word.unwrap_or(0) + 2
        }
    };
    let width = header_width.max(value_width).min(45);
    // At most 45, so the conversion is exact.
    width as f64
}

/// A strict drop-down list of the vocabulary's words: inline when it fits Excel's
/// limit, otherwise a range of the hidden lists sheet.
fn drop_down_list(
    vocabulary: Vocabulary,
    value_lists: &mut ValueLists,
) -> std::result::Result<DataValidation, XlsxError> {
    let words = vocabulary.words(value_lists.lang);
    if fits_inline_list(&words) {
        return DataValidation::new().allow_list_strings(&words);
    }
    let range = value_lists.range_of(vocabulary)?;
    Ok(DataValidation::new().allow_list_formula(Formula::new(range)))
}

/// Whether Excel accepts these words as an inline list: no word holds the list's own
/// separator, and the quoted, comma-joined list stays within the limit.
fn fits_inline_list(words: &[&str]) -> bool {
    if words.iter().any(|word| word.contains(',')) {
        return false;
    }
    let escaped_length: usize = words.iter().map(|word| word.encode_utf16().count() + word.matches('"').count()).sum();
    let separators = words.len().saturating_sub(1);
    escaped_length + separators <= INLINE_LIST_LIMIT
}

/// A multi-valued column cannot be a strict drop-down, so it only gets a prompt listing
/// the words that may be combined with `;`.
fn several_values_prompt(vocabulary: Vocabulary, lang: Lang) -> std::result::Result<DataValidation, XlsxError> {
    let texts = TemplateTexts::for_lang(lang);
    let listed = format!("{}{}", texts.allowed_values_prefix, vocabulary.words(lang).join("; "));
    let message = if listed.encode_utf16().count() <= PROMPT_LIMIT {
        listed
    } else {
        format!("{}{}", texts.allowed_values_prefix, texts.see_explanation_sheet)
    };
    DataValidation::new().allow_any_value().set_input_title(texts.several_values_title)?.set_input_message(message)
}

/// The hidden sheet of long vocabularies, one column per vocabulary, filled on demand.
struct ValueLists {
    lang: Lang,
    sheet: Worksheet,
    /// The vocabularies written so far, in column order, with their absolute ranges.
    ranges: Vec<(Vocabulary, String)>,
}

impl ValueLists {
    fn new(lang: Lang) -> std::result::Result<ValueLists, XlsxError> {
        let mut sheet = Worksheet::new();
        sheet.set_name(LISTS_SHEET_NAME)?;
        sheet.set_hidden(true);
        Ok(ValueLists { lang, sheet, ranges: Vec::new() })
    }

    /// The range (`lists!$A$1:$A$14`) holding the vocabulary's words, written on first use.
    fn range_of(&mut self, vocabulary: Vocabulary) -> std::result::Result<String, XlsxError> {
        if let Some((_, range)) = self.ranges.iter().find(|(written, _)| *written == vocabulary) {
            return Ok(range.clone());
        }
        let column_index = u16::try_from(self.ranges.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        let words = vocabulary.words(self.lang);
        for (row, word) in (0u32..).zip(&words) {
            self.sheet.write_string(row, column_index, *word)?;
        }
        let last_row = u32::try_from(words.len().saturating_sub(1)).map_err(|_| XlsxError::RowColumnLimitError)?;
        let range = worksheet_range_absolute(LISTS_SHEET_NAME, 0, column_index, last_row, column_index);
        self.ranges.push((vocabulary, range.clone()));
        Ok(range)
    }

    /// The sheet, when at least one vocabulary needed it.
    fn into_sheet(self) -> Option<Worksheet> {
        if self.ranges.is_empty() { None } else { Some(self.sheet) }
    }
}

#[cfg(test)]
mod tests;
