//! The template's own words (the explanation sheet, drop-down messages) in the three
//! languages. Column headers, column explanations and vocabulary words are not here:
//! they come from the form in `daryn_registry::form`.

use daryn_registry::Lang;
use daryn_registry::form::Requirement;

/// Everything the template writes in one language besides the form's own words.
pub(super) struct TemplateTexts {
    /// The name of the first sheet.
    pub explanation_sheet_name: &'static str,
    pub title: &'static str,
    /// What the form is and how to fill it in, one line per row.
    pub introduction: &'static [&'static str],
    /// What the header colours of the table sheets mean.
    pub colour_note: &'static str,
    pub sheet_heading: &'static str,
    pub column_heading: &'static str,
    pub required_heading: &'static str,
    pub explanation_heading: &'static str,
    pub allowed_values_heading: &'static str,
    pub required_yes: &'static str,
    pub required_no: &'static str,
    pub required_conditional: &'static str,
    /// Shown when a typed value is not in a drop-down list (Excel: at most 32 characters).
    pub list_error_title: &'static str,
    /// Shown when a typed value is not in a drop-down list.
    pub list_error_message: &'static str,
    /// Title of the prompt of a multi-valued column (Excel: at most 32 characters).
    pub several_values_title: &'static str,
    /// Starts the prompt of a multi-valued column, before the list of words.
    pub allowed_values_prefix: &'static str,
    /// Ends a prompt whose list of words does not fit, after the prefix.
    pub see_explanation_sheet: &'static str,
}

impl TemplateTexts {
    pub fn for_lang(lang: Lang) -> &'static TemplateTexts {
        match lang {
            Lang::Kk => &KAZAKH,
            Lang::Ru => &RUSSIAN,
            Lang::En => &ENGLISH,
        }
    }

    /// "yes", "no" or "conditional" for the explanation sheet's required column.
    pub fn requirement_word(&self, requirement: Requirement) -> &'static str {
        match requirement {
            Requirement::Required => self.required_yes,
            Requirement::Optional => self.required_no,
            Requirement::Conditional => self.required_conditional,
        }
    }
}

static KAZAKH: TemplateTexts = TemplateTexts {
    explanation_sheet_name: "Нұсқаулық",
    title: "Дарынды баланың жеке жол картасы: нысан \
            (ҚР Үкіметінің 2019 жылғы 27 желтоқсандағы № 997 қаулысының 7-тармағы)",
    introduction: &[
        "Бұл кітапты өңірлік үйлестіруші толтырады; облыс оны «Дарын» тізіліміне \
         roadmap.xlsx файлы ретінде жібереді.",
        "«Балалар» парағында әр балаға бір жол. Қолдау шаралары, жетістіктер және \
         мұғалімдер өз парақтарына бір-бір жолдан енгізіліп, балаға (мұғалімге) ЖСН арқылы \
         байланыстырылады.",
        "Күндерді күн ретінде енгізіңіз (кк.аа.жжжж); сөздерді ашылмалы тізімнен таңдаңыз; \
         бір ұяшықтағы бірнеше мәнді «;» арқылы бөліңіз. Парақтар мен тақырыптардың атауын \
         өзгертпеңіз.",
    ],
    colour_note: "Тақырыбы қызғылт сары түспен белгіленген бағандар әр жолда міндетті; \
                  сары түспен белгіленгендер тек кейбір жолдарда міндетті (түсіндірмені қараңыз).",
    sheet_heading: "Парақ",
    column_heading: "Баған",
    required_heading: "Міндетті",
    explanation_heading: "Не енгізу керек",
    allowed_values_heading: "Рұқсат етілген мәндер",
    required_yes: "иә",
    required_no: "жоқ",
    required_conditional: "шартқа байланысты",
    list_error_title: "Мән тізімде жоқ",
    list_error_message: "Ашылмалы тізімнен мән таңдаңыз.",
    several_values_title: "Бірнеше мән, «;» арқылы",
    allowed_values_prefix: "Рұқсат етілген мәндер: ",
    see_explanation_sheet: "«Нұсқаулық» парағын қараңыз.",
};

static RUSSIAN: TemplateTexts = TemplateTexts {
    explanation_sheet_name: "Инструкция",
    title: "Индивидуальная дорожная карта одарённого ребёнка: форма \
            (пункт 7 постановления Правительства РК от 27 декабря 2019 года № 997)",
    introduction: &[
        "Эту книгу заполняет региональный координатор; область отправляет её в реестр \
         «Дарын» как файл roadmap.xlsx.",
        "На листе «Дети» — одна строка на ребёнка. Меры поддержки, достижения и педагоги \
         вносятся на свои листы, по строке на запись, и связываются с ребёнком (педагогом) \
         по ИИН.",
        "Даты вводите как даты (дд.мм.гггг); слова выбирайте из раскрывающихся списков; \
         несколько значений в одной ячейке разделяйте «;». Не переименовывайте листы и \
         заголовки.",
    ],
    colour_note: "Столбцы с оранжевым заголовком обязательны в каждой строке; с жёлтым — \
                  обязательны только в некоторых строках (см. пояснение).",
    sheet_heading: "Лист",
    column_heading: "Столбец",
    required_heading: "Обязательный",
    explanation_heading: "Что вносить",
    allowed_values_heading: "Допустимые значения",
    required_yes: "да",
    required_no: "нет",
    required_conditional: "по условию",
    list_error_title: "Значения нет в списке",
    list_error_message: "Выберите значение из раскрывающегося списка.",
    several_values_title: "Несколько значений через «;»",
    allowed_values_prefix: "Допустимые значения: ",
    see_explanation_sheet: "см. лист «Инструкция».",
};

static ENGLISH: TemplateTexts = TemplateTexts {
    explanation_sheet_name: "Instructions",
    title: "Individual roadmap of a gifted child: the form \
            (item 7 of Government decree No. 997 of 27 December 2019)",
    introduction: &[
        "A regional coordinator fills in this workbook; the region sends it to the Daryn \
         registry as roadmap.xlsx.",
        "Enter one row per child on the sheet «children». Support measures, achievements and \
         teachers go on their own sheets, one row each, linked to the child (and teacher) by IIN.",
        "Type dates as dates (dd.mm.yyyy); pick words from the drop-down lists; separate \
         several values in one cell with «;». Do not rename the sheets or the headers.",
    ],
    colour_note: "Columns with an orange header must be filled in on every row; columns with \
                  a yellow header only on some rows (see the explanation).",
    sheet_heading: "Sheet",
    column_heading: "Column",
    required_heading: "Required",
    explanation_heading: "What to enter",
    allowed_values_heading: "Allowed values",
    required_yes: "yes",
    required_no: "no",
    required_conditional: "conditional",
    list_error_title: "Value not in the list",
    list_error_message: "Choose a value from the drop-down list.",
    several_values_title: "Several values, separated by ;",
    allowed_values_prefix: "Allowed values: ",
    see_explanation_sheet: "see the sheet «Instructions».",
};
