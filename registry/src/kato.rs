//! KATO, the classifier of administrative-territorial objects. A code has nine digits;
//! the first two name the region. The 20 first-level units are built in with their
//! Kazakh, Russian and English names and the old names still found in exports; the
//! districts come from an optional classifier file (see [`KatoClassifier`]).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lang::{Lang, Trilingual};
use crate::spelling::fold;

/// A nine-digit KATO code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KatoCode(u32);

impl KatoCode {
    /// Reads a code typed as text: nine digits, or two digits for a region.
    pub fn parse(text: &str) -> Option<KatoCode> {
        let trimmed = text.trim().trim_start_matches('\'');
        if !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match trimmed.len() {
            2 => trimmed.parse::<u32>().ok().map(|region| KatoCode(region * 10_000_000)),
            9 => trimmed.parse::<u32>().ok().map(KatoCode),
            _ => None,
        }
    }

    /// Reads a code held in a numeric spreadsheet cell.
    pub fn from_number(number: f64) -> Option<KatoCode> {
        if !number.is_finite() || number < 0.0 || number.fract() != 0.0 {
            return None;
        }
        let value = number as u64;
        if value < 100 {
            KatoCode::parse(&format!("{value:02}"))
        } else if (100_000_000..1_000_000_000).contains(&value) {
            Some(KatoCode(value as u32))
        } else {
            None
        }
    }

    pub fn from_region(region: RegionCode) -> KatoCode {
        KatoCode(u32::from(region.0) * 10_000_000)
    }

    /// The region the code lies in: its first two digits.
    pub fn region(self) -> RegionCode {
        RegionCode((self.0 / 10_000_000) as u8)
    }

    pub fn is_region(self) -> bool {
        self.0.is_multiple_of(10_000_000)
    }

    pub fn value(self) -> u32 {
        self.0
    }
}

impl std::fmt::Display for KatoCode {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:09}", self.0)
    }
}

impl TryFrom<String> for KatoCode {
    type Error = String;
    fn try_from(text: String) -> std::result::Result<KatoCode, String> {
        KatoCode::parse(&text).ok_or_else(|| format!("`{text}` is not a KATO code"))
    }
}

impl From<KatoCode> for String {
    fn from(code: KatoCode) -> String {
        code.to_string()
    }
}

/// The two-digit code of one of the 20 first-level units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(u8);

impl RegionCode {
    /// Reads a region from a two- or nine-digit code; only the 20 built-in units exist.
    pub fn parse(text: &str) -> Option<RegionCode> {
        let code = KatoCode::parse(text)?;
        if !code.is_region() {
            return None;
        }
        Region::get(code.region()).map(|region| region.code)
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn kato(self) -> KatoCode {
        KatoCode::from_region(self)
    }

    /// The region's built-in record.
    pub fn region(self) -> &'static Region {
        Region::get(self).expect("a RegionCode is only built for a known region")
    }
}

impl std::fmt::Display for RegionCode {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:02}", self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = String;
    fn try_from(text: String) -> std::result::Result<RegionCode, String> {
        RegionCode::parse(&text).ok_or_else(|| format!("`{text}` is not a region code"))
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> String {
        code.to_string()
    }
}

/// Whether a first-level unit is an oblast or a city of republican significance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    Oblast,
    City,
}

/// One of the 20 first-level units.
#[derive(Debug)]
pub struct Region {
    pub code: RegionCode,
    pub kind: RegionKind,
    pub name: Trilingual,
    /// Other names found in exports: transliterations and names the unit used to have.
    pub old_names: &'static [&'static str],
}

macro_rules! region {
    ($code:literal, $kind:ident, $kk:literal, $ru:literal, $en:literal, [$($old:literal),*]) => {
        Region {
            code: RegionCode($code),
            kind: RegionKind::$kind,
            name: Trilingual { kk: $kk, ru: $ru, en: $en },
            old_names: &[$($old),*],
        }
    };
}

/// The 17 oblasts and 3 cities, by KATO code.
pub static REGIONS: [Region; 20] = [
    region!(10, Oblast, "Абай", "Абайская", "Abay", ["Abai"]),
    region!(11, Oblast, "Ақмола", "Акмолинская", "Akmola", ["Aqmola", "Акмола"]),
    region!(15, Oblast, "Ақтөбе", "Актюбинская", "Aktobe", ["Aqtobe", "Актобе", "Aktyubinsk"]),
    region!(19, Oblast, "Алматы", "Алматинская", "Almaty", []),
    region!(23, Oblast, "Атырау", "Атырауская", "Atyrau", []),
    region!(
        27,
        Oblast,
        "Батыс Қазақстан",
        "Западно-Казахстанская",
        "West Kazakhstan",
        ["Batys Qazaqstan", "Batys Kazakhstan", "ЗКО", "БҚО"]
    ),
    region!(31, Oblast, "Жамбыл", "Жамбылская", "Zhambyl", ["Jambyl", "Жамбыл", "Taraz"]),
    region!(33, Oblast, "Жетісу", "Жетысуская", "Zhetysu", ["Jetisu", "Жетысу"]),
    region!(
        35,
        Oblast,
        "Қарағанды",
        "Карагандинская",
        "Karagandy",
        ["Karaganda", "Qaragandy", "Qaraghandy", "Караганда"]
    ),
    region!(39, Oblast, "Қостанай", "Костанайская", "Kostanay", ["Qostanai", "Kostanai", "Костанай"]),
    region!(43, Oblast, "Қызылорда", "Кызылординская", "Kyzylorda", ["Qyzylorda", "Кызылорда"]),
    region!(
        47,
        Oblast,
        "Маңғыстау",
        "Мангистауская",
        "Mangystau",
        ["Mangistau", "Mañğystau", "Мангистау", "Мангыстау"]
    ),
    region!(55, Oblast, "Павлодар", "Павлодарская", "Pavlodar", []),
    region!(
        59,
        Oblast,
        "Солтүстік Қазақстан",
        "Северо-Казахстанская",
        "North Kazakhstan",
        ["Soltustik Qazaqstan", "Soltustik Kazakhstan", "СКО", "СҚО"]
    ),
    region!(
        61,
        Oblast,
        "Түркістан",
        "Туркестанская",
        "Turkestan",
        [
            "Turkistan",
            "Түркістан",
            "Туркестан",
            "Оңтүстік Қазақстан",
            "Южно-Казахстанская",
            "South Kazakhstan",
            "Ontustik Qazaqstan",
            "ЮКО",
            "ОҚО"
        ]
    ),
    region!(62, Oblast, "Ұлытау", "Улытауская", "Ulytau", ["Ulytau", "Улытау"]),
    region!(
        63,
        Oblast,
        "Шығыс Қазақстан",
        "Восточно-Казахстанская",
        "East Kazakhstan",
        ["Shygys Qazaqstan", "Shygys Kazakhstan", "ВКО", "ШҚО"]
    ),
    region!(
        71,
        City,
        "Астана",
        "Астана",
        "Astana",
        ["Нұр-Сұлтан", "Нур-Султан", "Nur-Sultan", "Nur Sultan", "Нұр Сұлтан", "Астана (қала)"]
    ),
    region!(75, City, "Алматы", "Алматы", "Almaty", ["Almaty city", "Алматы (қала)"]),
    region!(79, City, "Шымкент", "Шымкент", "Shymkent", ["Чимкент", "Chimkent", "Shymkent city", "Шымкент (қала)"]),
];

/// Words around a region's name that say which kind it is ("облысы", "г.", "city").
const OBLAST_WORDS: &[&str] = &["облысы", "область", "обл", "обл.", "oblast", "oblysy", "region", "province"];
const CITY_WORDS: &[&str] =
    &["қаласы", "қ.", "қала", "(қала)", "г.", "г", "город", "city", "(city)", "qalasy", "(город)"];

impl Region {
    pub fn get(code: RegionCode) -> Option<&'static Region> {
        REGIONS.iter().find(|region| region.code.0 == code.0)
    }

    pub fn all() -> &'static [Region] {
        &REGIONS
    }

    pub fn name(&self, lang: Lang) -> &'static str {
        self.name.get(lang)
    }

    /// The name as it is written out: "Қарағанды облысы", "Карагандинская область",
    /// "Karagandy Region"; "Алматы қаласы", "г. Алматы", "Almaty city". The short names
    /// of Almaty oblast and Almaty city are the same word.
    pub fn full_name(&self, lang: Lang) -> String {
        let name = self.name(lang);
        match (self.kind, lang) {
            (RegionKind::Oblast, Lang::Kk) => format!("{name} облысы"),
            (RegionKind::Oblast, Lang::Ru) => format!("{name} область"),
            (RegionKind::Oblast, Lang::En) => format!("{name} Region"),
            (RegionKind::City, Lang::Kk) => format!("{name} қаласы"),
            (RegionKind::City, Lang::Ru) => format!("г. {name}"),
            (RegionKind::City, Lang::En) => format!("{name} city"),
        }
    }

    /// Every name the region goes by: today's in Kazakh, Russian and English, then the
    /// old names and transliterations exports use.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        [self.name.kk, self.name.ru, self.name.en].into_iter().chain(self.old_names.iter().copied())
    }

    /// Finds the regions a typed name or code may mean. A bare "Алматы" may be the
    /// oblast or the city, so both come back; "Алматы облысы" or "г. Алматы" say which.
    pub fn lookup(text: &str) -> Vec<&'static Region> {
        if let Some(code) = RegionCode::parse(text) {
            return vec![code.region()];
        }
        let (stem, kind) = strip_kind(text);
        if stem.is_empty() {
            return Vec::new();
        }
        // Every name and old name of every region, folded once.
        static STEMS: std::sync::LazyLock<Vec<(String, &'static Region)>> = std::sync::LazyLock::new(|| {
            REGIONS.iter().flat_map(|region| region.names().map(move |name| (strip_kind(name).0, region))).collect()
        });
        let mut found: Vec<&'static Region> = Vec::new();
        for (name, region) in STEMS.iter() {
            if *name == stem
                && kind.is_none_or(|kind| kind == region.kind)
                && !found.iter().any(|seen| std::ptr::eq(*seen, *region))
            {
                found.push(region);
            }
        }
        found
    }
}

/// Folds a region name and splits off the words that say oblast or city.
fn strip_kind(text: &str) -> (String, Option<RegionKind>) {
    let folded = fold(&text.replace(['«', '»', '"'], " "));
    let mut kind = None;
    let mut words = Vec::new();
    for word in name_words(&folded) {
        if OBLAST_WORDS.contains(&word) {
            kind = Some(RegionKind::Oblast);
        } else if CITY_WORDS.contains(&word) {
            kind = Some(RegionKind::City);
        } else if !word.is_empty() {
            words.push(word);
        }
    }
    (words.join(" "), kind)
}

/// A district (second-level unit) of an optional KATO classifier file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct District {
    pub code: KatoCode,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: String,
}

/// The districts of a KATO classifier file, for validating the `district` column.
///
/// The file is CSV in UTF-8 with a header row. Columns, matched by name in any order:
/// `kato` (nine digits, required), and the district's names in `district_kk`,
/// `district_ru`, `district_en` (or `name_kk`, `name_ru`, `name_en`). Other columns
/// (`region_kato`, region names) are allowed and ignored: the region is the code's
/// first two digits. Rows whose code is a region itself are skipped.
#[derive(Clone, Debug, Default)]
pub struct KatoClassifier {
    districts: HashMap<KatoCode, District>,
    by_name: HashMap<(RegionCode, String), Vec<KatoCode>>,
}

impl KatoClassifier {
    pub fn load(path: &Path) -> Result<KatoClassifier> {
        // The whole classifier of every locality is a few megabytes.
        let text =
            crate::read_text_bounded(path, 64 << 20).map_err(|source| Error::Io { path: path.to_owned(), source })?;
        KatoClassifier::from_csv(&text).map_err(|reason| Error::Classifier { path: path.to_owned(), reason })
    }

    /// Parses the classifier's CSV text (see the type's documentation for the format).
    pub fn from_csv(text: &str) -> std::result::Result<KatoClassifier, String> {
        let mut lines = text.trim_start_matches('\u{feff}').lines().enumerate();
        let (_, header) = lines.next().ok_or("the file is empty")?;
        let columns: Vec<String> = header.split(',').map(fold).collect();
        let find = |names: &[&str]| columns.iter().position(|column| names.contains(&column.as_str()));
        let kato_column = find(&["kato", "code", "kato_code"]).ok_or("no `kato` column in the header")?;
        let kk_column = find(&["district_kk", "name_kk"]);
        let ru_column = find(&["district_ru", "name_ru"]);
        let en_column = find(&["district_en", "name_en"]);
        let mut classifier = KatoClassifier::default();
        for (index, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let field = |column: Option<usize>| column.and_then(|c| fields.get(c)).copied().unwrap_or("").to_owned();
            let raw_code = fields.get(kato_column).copied().unwrap_or("");
            let code = KatoCode::parse(raw_code)
                .ok_or_else(|| format!("line {}: `{raw_code}` is not a nine-digit KATO code", index + 1))?;
            if Region::get(code.region()).is_none() {
                return Err(format!("line {}: code `{code}` lies in no known region", index + 1));
            }
            if code.is_region() {
                continue;
            }
            classifier.insert(District {
                code,
                name_kk: field(kk_column),
                name_ru: field(ru_column),
                name_en: field(en_column),
            });
        }
        Ok(classifier)
    }

    pub fn insert(&mut self, district: District) {
        let region = district.code.region();
        for name in [&district.name_kk, &district.name_ru, &district.name_en] {
            let key = district_key(name);
            if key.is_empty() {
                continue;
            }
            let codes = self.by_name.entry((region, key)).or_default();
            if !codes.contains(&district.code) {
                codes.push(district.code);
            }
        }
        self.districts.insert(district.code, district);
    }

    pub fn get(&self, code: KatoCode) -> Option<&District> {
        self.districts.get(&code)
    }

    pub fn len(&self) -> usize {
        self.districts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.districts.is_empty()
    }

    /// The districts of one region, by code.
    pub fn districts_of(&self, region: RegionCode) -> Vec<&District> {
        let mut districts: Vec<&District> =
            self.districts.values().filter(|district| district.code.region() == region).collect();
        districts.sort_by_key(|district| district.code);
        districts
    }

    /// Finds a district by name within a region. `None` when no district or more than
    /// one has that name there.
    pub fn find_by_name(&self, region: RegionCode, name: &str) -> Option<KatoCode> {
        match self.by_name.get(&(region, district_key(name))) {
            Some(codes) if codes.len() == 1 => Some(codes[0]),
            _ => None,
        }
    }
}

/// The folded core of a district name: without "ауданы", "район", "г." and the like.
fn district_key(name: &str) -> String {
    const NOISE: &[&str] =
        &["ауданы", "аудан", "район", "р-н", "district", "audany", "г.", "г", "қ.", "қаласы", "город", "city"];
    let folded = fold(name);
    name_words(&folded).filter(|word| !word.is_empty() && !NOISE.contains(word)).collect::<Vec<_>>().join(" ")
}

/// The words of a folded place name, with an abbreviation written against the name
/// (`г.алматы`, `қ.теміртау`) as a word of its own.
fn name_words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').flat_map(|word| {
        let glued = ["г.", "қ."]
            .into_iter()
            .find_map(|prefix| Some((prefix, word.strip_prefix(prefix)?)))
            .filter(|(_, rest)| !rest.is_empty());
        match glued {
            Some((prefix, rest)) => [Some(prefix), Some(rest)],
            None => [Some(word), None],
        }
        .into_iter()
        .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(regions: Vec<&'static Region>) -> Vec<String> {
        regions.iter().map(|region| region.code.to_string()).collect()
    }

    #[test]
    fn twenty_units_seventeen_oblasts_three_cities() {
        assert_eq!(REGIONS.len(), 20);
        let cities = REGIONS.iter().filter(|region| region.kind == RegionKind::City).count();
        assert_eq!(cities, 3);
    }

    #[test]
    fn codes_read_in_two_or_nine_digits() {
        assert_eq!(RegionCode::parse("35").unwrap().to_string(), "35");
        assert_eq!(RegionCode::parse("350000000").unwrap().to_string(), "35");
        assert_eq!(RegionCode::parse("351010000"), None);
        assert_eq!(RegionCode::parse("99"), None);
        assert_eq!(KatoCode::parse("35").unwrap().to_string(), "350000000");
        assert_eq!(KatoCode::from_number(351_010_000.0).unwrap().region().to_string(), "35");
        assert_eq!(KatoCode::from_number(35.0).unwrap().to_string(), "350000000");
        assert_eq!(KatoCode::parse("3510"), None);
    }

    #[test]
    fn old_names_lead_to_todays_regions() {
        assert_eq!(codes(Region::lookup("Нұр-Сұлтан")), ["71"]);
        assert_eq!(codes(Region::lookup("Nur-Sultan")), ["71"]);
        assert_eq!(codes(Region::lookup("Оңтүстік Қазақстан облысы")), ["61"]);
        assert_eq!(codes(Region::lookup("South Kazakhstan")), ["61"]);
        assert_eq!(codes(Region::lookup("Чимкент")), ["79"]);
        assert_eq!(codes(Region::lookup("г. Шымкент")), ["79"]);
    }

    #[test]
    fn almaty_oblast_and_city_are_told_apart_when_the_text_says_which() {
        assert_eq!(codes(Region::lookup("Алматы")), ["19", "75"]);
        assert_eq!(codes(Region::lookup("Алматы облысы")), ["19"]);
        assert_eq!(codes(Region::lookup("Алматинская область")), ["19"]);
        assert_eq!(codes(Region::lookup("г. Алматы")), ["75"]);
        assert_eq!(codes(Region::lookup("Almaty city")), ["75"]);
        // Written out, the oblast and the city differ, and each full name finds its own.
        let (oblast, city) = (RegionCode::parse("19").unwrap().region(), RegionCode::parse("75").unwrap().region());
        assert_eq!(oblast.full_name(Lang::Kk), "Алматы облысы");
        assert_eq!(city.full_name(Lang::Ru), "г. Алматы");
        assert_eq!(oblast.full_name(Lang::En), "Almaty Region");
        for lang in [Lang::Kk, Lang::Ru, Lang::En] {
            assert_eq!(codes(Region::lookup(&oblast.full_name(lang))), ["19"], "{lang:?}");
            assert_eq!(codes(Region::lookup(&city.full_name(lang))), ["75"], "{lang:?}");
        }
        assert_eq!(codes(Region::lookup("КАРАГАНДИНСКАЯ ОБЛ.")), ["35"]);
        // The abbreviation written against the name, as exports often have it.
        assert_eq!(codes(Region::lookup("г.Алматы")), ["75"]);
        assert_eq!(codes(Region::lookup("Алматы қ.")), ["75"]);
        assert!(Region::lookup("Atlantis").is_empty());
        assert!(Region::lookup("").is_empty());
    }

    #[test]
    fn classifier_finds_districts_by_name_within_their_region() {
        let text = "kato,region_kato,district_en,district_kk,district_ru\n\
                    103200000,100000000,Abay,Абай,Абайский\n\
                    351600000,350000000,Abay,Абай,Абай\n\
                    100000000,100000000,,,\n";
        let classifier = KatoClassifier::from_csv(text).unwrap();
        assert_eq!(classifier.len(), 2);
        let abay = RegionCode::parse("10").unwrap();
        let karagandy = RegionCode::parse("35").unwrap();
        assert_eq!(classifier.find_by_name(abay, "Абайский район").unwrap().to_string(), "103200000");
        assert_eq!(classifier.find_by_name(karagandy, "Абай ауданы").unwrap().to_string(), "351600000");
        assert_eq!(classifier.find_by_name(karagandy, "Абайский"), None);
        let temirtau = "352400000,350000000,Temirtau,Теміртау,Темиртау\n";
        let classifier =
            KatoClassifier::from_csv(&format!("kato,region_kato,district_en,district_kk,district_ru\n{temirtau}"))
                .unwrap();
        for written in ["г.Темиртау", "г. Темиртау", "Теміртау қ.", "қ.Теміртау"] {
            assert_eq!(classifier.find_by_name(karagandy, written).unwrap().to_string(), "352400000", "{written}");
        }
        assert!(KatoClassifier::from_csv("name\nfoo\n").is_err());
        assert!(KatoClassifier::from_csv("kato\n12\n").is_err());
    }
}
