//! Every enum of the roadmap form (ROADMAP-FORM.md sections 2 and 6), with its
//! canonical code, the Kazakh and Russian words the templates offer, and the other
//! spellings that real exports use. `docs/FORM.md` lists them for the regions.

use crate::spelling::spelled_enum;

spelled_enum! {
    /// A child's sex; derived from the IIN when the cell is empty.
    pub enum Sex {
        Male = "M", "ер", "М" | "Е" | "m" | "male" | "ер бала" | "ұл" | "муж" | "мужской" | "erkek",
        Female = "F", "әйел", "Ж" | "Ә" | "f" | "female" | "қыз" | "қыз бала" | "жен" | "женский" | "äiel",
    }
}

spelled_enum! {
    pub enum AreaType {
        Rural = "rural", "ауыл", "село" | "ауылдық" | "ауылдық жер" | "сельская" | "сельский"
            | "сельская местность" | "auyl" | "village",
        Urban = "urban", "қала", "город" | "қалалық" | "городская" | "городской" | "qala" | "city" | "town",
    }
}

spelled_enum! {
    /// The form's booleans (`large_family`, `low_income`).
    pub enum YesNo {
        Yes = "true", "иә", "да" | "yes" | "y" | "1" | "+" | "ия" | "иа" | "д" | "true." | "истина",
        No = "false", "жоқ", "нет" | "no" | "n" | "0" | "-" | "н" | "ложь",
    }
}

impl YesNo {
    pub fn as_bool(self) -> bool {
        self == YesNo::Yes
    }

    pub fn from_bool(value: bool) -> YesNo {
        if value { YesNo::Yes } else { YesNo::No }
    }
}

spelled_enum! {
    pub enum InstructionLanguage {
        Kazakh = "kk", "қазақ", "казахский" | "қазақша" | "қазақ тілі" | "каз" | "kaz" | "kazakh" | "kz"
            | "казахский язык",
        Russian = "ru", "орыс", "русский" | "орысша" | "орыс тілі" | "рус" | "rus" | "russian"
            | "русский язык",
        English = "en", "ағылшын", "английский" | "ағылшын тілі" | "англ" | "eng" | "english"
            | "английский язык",
        Other = "other", "басқа", "другой" | "аралас" | "смешанный" | "mixed",
    }
}

spelled_enum! {
    /// The five talent domains of the decree.
    pub enum TalentDomain {
        Science = "science", "ғылым", "наука" | "ғылыми" | "научное" | "научная" | "ғылым білім",
        Culture = "culture", "мәдениет", "культура" | "мәдени" | "культурное",
        Art = "art", "өнер", "искусство" | "arts" | "творчество" | "шығармашылық",
        Sport = "sport", "спорт", "спорт" | "спортивное" | "спорттық" | "sports",
        Military = "military", "әскери іс", "военное дело" | "әскери" | "военное" | "нвп" | "әскери-патриоттық"
            | "военно-патриотическое" | "military basics",
    }
}

spelled_enum! {
    pub enum IdentificationMethod {
        Olympiad = "olympiad", "олимпиада", "олимпиада" | "олимп",
        Contest = "contest", "байқау", "конкурс",
        Competition = "competition", "жарыс", "соревнование" | "сайыс" | "соревнования",
        TeacherNomination = "teacher_nomination", "мұғалімнің ұсынысы", "рекомендация педагога"
            | "мұғалім ұсынысы" | "педагог" | "teacher nomination",
        PsychologicalDiagnostics = "psychological_diagnostics", "психологиялық диагностика",
            "психологическая диагностика" | "диагностика" | "psychological diagnostics",
        ParentApplication = "parent_application", "ата-ананың өтініші", "заявление родителей"
            | "ата-ана өтініші" | "parent application",
        Other = "other", "басқа", "другое" | "иное",
    }
}

spelled_enum! {
    pub enum RoadmapStatus {
        Active = "active", "белсенді", "активная" | "активный" | "действующая" | "орындалуда",
        Completed = "completed", "аяқталған", "завершена" | "завершен" | "аяқталды",
        Withdrawn = "withdrawn", "шығып кетті", "выбыл" | "отозвана" | "шығарылды" | "выбыла",
    }
}

spelled_enum! {
    /// Kinds of support measure; each answers one item of the decree.
    pub enum MeasureType {
        ClubOrSection = "club_or_section", "үйірме немесе секция", "кружок или секция"
            | "үйірме" | "секция" | "кружок",
        Technopark = "technopark", "технопарк", "детский технопарк" | "балалар технопаркі",
        Hackathon = "hackathon", "хакатон", "хакатон",
        TutoringCourse = "tutoring_course", "тьюторлық курс", "тьюторский курс" | "тьюторлық курстар" | "тьюторские курсы",
        ProjectWork = "project_work", "жобалық жұмыс", "проектная работа" | "жоба",
        SummerSubjectCamp = "summer_subject_camp", "жазғы пәндік ауысым", "летняя предметная смена"
            | "жазғы лагерь" | "летний лагерь",
        PsychologicalTraining = "psychological_training", "психологиялық тренинг", "психологический тренинг"
            | "тренинг",
        ForumSenUzdiksin = "forum_sen_uzdiksin", "«Сен үздіксің!» форумы", "форум «Сен үздіксің!»"
            | "сен үздіксің" | "сен үздіксің!" | "форум" | "sen uzdiksin",
        MuseumVisit = "museum_visit", "мұражайға бару", "посещение музея"
            | "музей" | "мұражай" | "экскурсия" | "қасиетті жерлерге бару",
        HealthCampVoucher = "health_camp_voucher", "сауықтыру лагеріне жолдама", "путевка в оздоровительный лагерь"
            | "путёвка в оздоровительный лагерь" | "жолдама" | "путевка",
        Scholarship = "scholarship", "стипендия", "стипендия" | "именная стипендия" | "атаулы стипендия",
        UniversityGrant = "university_grant", "білім беру гранты", "образовательный грант" | "грант",
        SpecializedSchoolAdmission = "specialized_school_admission", "мамандандырылған мектепке қабылдау",
            "поступление в специализированную школу" | "мамандандырылған мектеп" | "спецшкола",
        Mentoring = "mentoring", "тәлімгерлік", "наставничество" | "жеке жұмыс" | "индивидуальная работа",
        Other = "other", "басқа", "другое" | "иное",
    }
}

impl MeasureType {
    /// The decree item this kind of measure carries out; `None` for mentoring and other.
    pub fn decree_item(self) -> Option<u8> {
        match self {
            MeasureType::ClubOrSection => Some(6),
            MeasureType::Technopark
            | MeasureType::Hackathon
            | MeasureType::TutoringCourse
            | MeasureType::ProjectWork => Some(8),
            MeasureType::SummerSubjectCamp => Some(9),
            MeasureType::PsychologicalTraining => Some(10),
            MeasureType::ForumSenUzdiksin => Some(11),
            MeasureType::MuseumVisit => Some(12),
            MeasureType::HealthCampVoucher => Some(13),
            MeasureType::Scholarship => Some(14),
            MeasureType::UniversityGrant => Some(16),
            MeasureType::SpecializedSchoolAdmission => Some(17),
            MeasureType::Mentoring | MeasureType::Other => None,
        }
    }

    /// Measures of these types carry money, so `amount_kzt` is required.
    pub fn requires_amount(self) -> bool {
        matches!(self, MeasureType::Scholarship | MeasureType::UniversityGrant | MeasureType::HealthCampVoucher)
    }
}

spelled_enum! {
    pub enum MeasureStatus {
        Planned = "planned", "жоспарланған", "запланировано" | "жоспарда" | "планируется",
        InProgress = "in_progress", "орындалуда", "в процессе" | "выполняется" | "in progress",
        Done = "done", "орындалды", "выполнено" | "аяқталды" | "завершено" | "completed",
        Cancelled = "cancelled", "тоқтатылды", "отменено" | "бас тартылды" | "canceled",
    }
}

spelled_enum! {
    pub enum FundingSource {
        LocalBudget = "local_budget", "жергілікті бюджет", "местный бюджет" | "жб" | "мб",
        RepublicanBudget = "republican_budget", "республикалық бюджет", "республиканский бюджет" | "рб",
        Sponsor = "sponsor", "демеуші", "спонсор" | "демеушілер" | "меценат" | "спонсоры" | "бюджеттен тыс",
        None = "none", "қаржыландырусыз", "без финансирования" | "не требуется" | "талап етілмейді",
    }
}

spelled_enum! {
    pub enum EventKind {
        Olympiad = "olympiad", "олимпиада", "олимпиада",
        ScienceProject = "science_project", "ғылыми жоба", "научный проект" | "ғылыми жобалар байқауы"
            | "конкурс научных проектов",
        CreativeContest = "creative_contest", "шығармашылық байқау", "творческий конкурс",
        SportCompetition = "sport_competition", "спорттық жарыс", "спортивное соревнование"
            | "соревнование" | "жарыс",
        IntellectualContest = "intellectual_contest", "зияткерлік сайыс", "интеллектуальный конкурс"
            | "интеллектуалдық сайыс",
    }
}

spelled_enum! {
    /// The level of an event; levels form a pyramid, school at the bottom.
    pub enum Level {
        School = "school", "мектептік", "школьный" | "мектеп",
        District = "district", "аудандық", "районный" | "қалалық" | "городской" | "аудан",
        Regional = "regional", "облыстық", "областной" | "облыс" | "өңірлік" | "региональный",
        Republican = "republican", "республикалық", "республиканский" | "national",
        International = "international", "халықаралық", "международный",
    }
}

spelled_enum! {
    /// The result of an achievement. Places `1`, `2`, `3` (or `I`, `II`, `III`, also with
    /// the Cyrillic `І`) are read as winner (1st) and prize-winner (2nd, 3rd).
    pub enum AchievementResult {
        Winner = "winner", "жеңімпаз", "победитель" | "1" | "i" | "і" | "1 орын" | "1 место" | "first place",
        PrizeWinner = "prize_winner", "жүлдегер", "призёр" | "призер" | "2" | "3" | "ii" | "iii"
            // Roman places typed with the Kazakh keyboard's Cyrillic `І`.
            | "іі" | "ііі"
            | "2 орын" | "3 орын" | "2 место" | "3 место" | "prize winner",
        HonourableMention = "honourable_mention", "мадақтама", "поощрительная грамота"
            | "похвальная грамота" | "алғыс хат" | "honorable_mention" | "honourable mention",
        Participant = "participant", "қатысушы", "участник" | "сертификат",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use std::collections::HashMap;

    fn assert_round_trip<T: Copy + PartialEq + std::fmt::Debug>(
        all: &[T],
        spellings: impl Fn(T) -> Vec<&'static str>,
        parse: impl Fn(&str) -> Option<T>,
        code: impl Fn(T) -> &'static str,
    ) {
        for &variant in all {
            for spelling in spellings(variant) {
                assert_eq!(parse(spelling), Some(variant), "spelling `{spelling}`");
                assert_eq!(parse(&spelling.to_uppercase()), Some(variant), "upper `{spelling}`");
                assert_eq!(parse(&format!("  {spelling} ")), Some(variant), "spaced `{spelling}`");
            }
            assert_eq!(parse(code(variant)), Some(variant));
        }
    }

    macro_rules! round_trip {
        ($($enum:ident),+) => {$(
            assert_round_trip($enum::ALL, |v| v.spellings().collect(), $enum::parse, $enum::code);
            // No spelling may be claimed by two variants of one enum.
            let mut owners: HashMap<String, $enum> = HashMap::new();
            for &variant in $enum::ALL {
                for spelling in variant.spellings() {
                    assert_eq!(spelling, spelling.trim(), "`{spelling}` has stray spaces");
                    let folded = crate::spelling::fold(spelling);
                    if let Some(previous) = owners.insert(folded.clone(), variant) {
                        assert_eq!(previous, variant, "`{folded}` is claimed twice in {}", stringify!($enum));
                    }
                }
            }
        )+};
    }

    #[test]
    fn every_alias_of_every_enum_round_trips() {
        round_trip!(
            Sex,
            AreaType,
            YesNo,
            InstructionLanguage,
            TalentDomain,
            IdentificationMethod,
            RoadmapStatus,
            MeasureType,
            MeasureStatus,
            FundingSource,
            EventKind,
            Level,
            AchievementResult
        );
    }

    #[test]
    fn contract_section_6_words_are_accepted() {
        assert_eq!(AreaType::parse("АУЫЛ"), Some(AreaType::Rural));
        assert_eq!(AreaType::parse("город"), Some(AreaType::Urban));
        assert_eq!(YesNo::parse("Иә"), Some(YesNo::Yes));
        assert_eq!(YesNo::parse("нет"), Some(YesNo::No));
        assert_eq!(YesNo::parse("+"), Some(YesNo::Yes));
        assert_eq!(Sex::parse("Ә"), Some(Sex::Female));
        assert_eq!(Sex::parse("Е"), Some(Sex::Male));
        assert_eq!(Sex::parse("Ж"), Some(Sex::Female));
        assert_eq!(InstructionLanguage::parse("казахский"), Some(InstructionLanguage::Kazakh));
        assert_eq!(AchievementResult::parse("III"), Some(AchievementResult::PrizeWinner));
        // U+0406 and U+0456, the Kazakh keyboard's `І`.
        assert_eq!(AchievementResult::parse("\u{406}\u{406}"), Some(AchievementResult::PrizeWinner));
        assert_eq!(AchievementResult::parse("\u{406}"), Some(AchievementResult::Winner));
        assert_eq!(AchievementResult::parse("призер"), Some(AchievementResult::PrizeWinner));
        assert_eq!(AchievementResult::parse("1"), Some(AchievementResult::Winner));
        assert_eq!(AreaType::parse(""), None);
        assert_eq!(AreaType::parse("suburb"), None);
    }

    #[test]
    fn template_words_differ_by_language() {
        assert_eq!(AreaType::Rural.word(Lang::Kk), "ауыл");
        assert_eq!(AreaType::Rural.word(Lang::Ru), "село");
        assert_eq!(AreaType::Rural.word(Lang::En), "rural");
    }

    #[test]
    fn every_measure_type_of_the_decree_has_its_item() {
        let items: Vec<u8> = MeasureType::ALL.iter().filter_map(|t| t.decree_item()).collect();
        for item in [6, 8, 9, 10, 11, 12, 13, 14, 16, 17] {
            assert!(items.contains(&item), "item {item} has no measure type");
        }
        assert_eq!(MeasureType::Hackathon.decree_item(), Some(8));
        assert!(MeasureType::Scholarship.requires_amount());
        assert!(!MeasureType::MuseumVisit.requires_amount());
    }
}
