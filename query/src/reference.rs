//! The reference tables every session carries, built from the registry crate's built-in
//! data (never from files at run time): `regions`, `disciplines`, `measure_types`,
//! `achievement_weights`, and the `registry_version` row. The SQL views over the data
//! (`districts`, `target_groups`) are defined in [`VIEWS`].

use std::sync::Arc;

use daryn_registry::Lang;
use daryn_registry::config::Item15Weights;
use daryn_registry::discipline::Taxonomy;
use daryn_registry::enums::MeasureType;
use daryn_registry::kato::{Region, RegionKind};
use daryn_registry::store::RegistryVersion;
use deltalake::arrow::array::{
    ArrayRef, Date32Array, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use deltalake::arrow::datatypes::{DataType, Field, Schema, TimeUnit};

fn text(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

fn batch(fields: Vec<Field>, columns: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("reference columns match their schema")
}

/// The 20 regions: two-digit code, nine-digit KATO, kind and names in three languages.
pub fn regions() -> RecordBatch {
    let all = Region::all();
    let codes: Vec<String> = all.iter().map(|region| region.code.to_string()).collect();
    let katos: Vec<String> = all.iter().map(|region| region.code.kato().to_string()).collect();
    let names: Vec<[String; 3]> =
        all.iter().map(|region| [Lang::Kk, Lang::Ru, Lang::En].map(|lang| region.full_name(lang))).collect();
    batch(
        vec![
            text("region", false),
            text("region_kato", false),
            text("kind", false),
            text("name_kk", false),
            text("name_ru", false),
            text("name_en", false),
        ],
        vec![
            strings(codes.iter().map(String::as_str)),
            strings(katos.iter().map(String::as_str)),
            strings(all.iter().map(|region| match region.kind {
                RegionKind::Oblast => "oblast",
                RegionKind::City => "city",
            })),
            strings(names.iter().map(|names| names[0].as_str())),
            strings(names.iter().map(|names| names[1].as_str())),
            strings(names.iter().map(|names| names[2].as_str())),
        ],
    )
}

/// The discipline taxonomy: code, talent domain and names.
pub fn disciplines() -> RecordBatch {
    let all = Taxonomy::builtin().all();
    batch(
        vec![
            text("discipline", false),
            text("domain", false),
            text("name_kk", false),
            text("name_ru", false),
            text("name_en", false),
        ],
        vec![
            strings(all.iter().map(|discipline| discipline.code.as_str())),
            strings(all.iter().map(|discipline| discipline.domain.code())),
            strings(all.iter().map(|discipline| discipline.name_kk.as_str())),
            strings(all.iter().map(|discipline| discipline.name_ru.as_str())),
            strings(all.iter().map(|discipline| discipline.name_en.as_str())),
        ],
    )
}

/// Each kind of measure with the decree item it carries out (null for mentoring, other).
pub fn measure_types() -> RecordBatch {
    let all = MeasureType::ALL;
    batch(
        vec![
            text("measure_type", false),
            Field::new("decree_item", DataType::Int32, true),
            text("name_kk", false),
            text("name_ru", false),
        ],
        vec![
            strings(all.iter().map(|kind| kind.code())),
            Arc::new(all.iter().map(|kind| kind.decree_item().map(i32::from)).collect::<Int32Array>()),
            strings(all.iter().map(|kind| kind.word(Lang::Kk))),
            strings(all.iter().map(|kind| kind.word(Lang::Ru))),
        ],
    )
}

/// Item 15's weights as a table the `top-teachers` report joins.
pub fn achievement_weights(weights: &Item15Weights) -> RecordBatch {
    let rows: Vec<_> = weights.rows().collect();
    batch(
        vec![text("level", false), text("result", false), Field::new("weight", DataType::Int32, false)],
        vec![
            strings(rows.iter().map(|(level, _, _)| level.code())),
            strings(rows.iter().map(|(_, result, _)| result.code())),
            Arc::new(Int32Array::from_iter_values(rows.iter().map(|(_, _, weight)| *weight as i32))),
        ],
    )
}

/// The date a version's data speaks for: the newest `exported_at` of the drops it holds,
/// in Kazakhstan time (+05:00); the version's creation date when it holds none.
pub fn registry_date(version: &RegistryVersion) -> chrono::NaiveDate {
    let newest = version.regions.values().map(|state| state.exported_at).max().unwrap_or(version.created_at);
    daryn_registry::kazakhstan_time(newest).date_naive()
}

/// One row: the version's number, when it was published, and its [`registry_date`].
pub fn registry_version(version: &RegistryVersion) -> RecordBatch {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    let days = (registry_date(version) - epoch).num_days() as i32;
    batch(
        vec![
            Field::new("version", DataType::Int64, false),
            Field::new("created_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
            Field::new("registry_date", DataType::Date32, false),
        ],
        vec![
            Arc::new(Int64Array::from_iter_values([version.version as i64])),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values([version.created_at.timestamp_micros()])
                    .with_timezone("UTC"),
            ),
            Arc::new(Date32Array::from_iter_values([days])),
        ],
    )
}

/// Views over the data, created in every session after the tables. The product has no
/// district names built in (the classifier is an optional file), so `districts` lists
/// the districts the data holds, with their region.
pub const VIEWS: [(&str, &str); 2] = [
    (
        "districts",
        "SELECT DISTINCT c.district_kato, c.region, c.region_kato, r.name_kk AS region_name_kk, \
         r.name_ru AS region_name_ru, r.name_en AS region_name_en \
         FROM children c JOIN regions r ON r.region = c.region",
    ),
    (
        "target_groups",
        "SELECT region, region_kato, district_kato, iin, \
         CASE WHEN area_type = 'rural' THEN 'rural' \
              WHEN large_family OR low_income THEN 'urban_large_or_low_income' END AS target_group, \
         area_type, large_family, low_income \
         FROM children \
         WHERE area_type = 'rural' OR large_family OR low_income",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use daryn_registry::enums::{AchievementResult, Level};

    #[test]
    fn every_region_and_measure_type_is_listed() {
        assert_eq!(regions().num_rows(), 20);
        assert_eq!(measure_types().num_rows(), MeasureType::ALL.len());
        assert!(disciplines().num_rows() > 10);
    }

    #[test]
    fn the_weights_table_lists_the_two_counted_levels() {
        let table = achievement_weights(&Item15Weights::default());
        assert_eq!(table.num_rows(), 8, "2 levels × 4 results");
        let column = |index: usize| table.column(index).clone();
        let (levels, results, weights) = (column(0), column(1), column(2));
        let levels = levels.as_any().downcast_ref::<StringArray>().unwrap();
        let results = results.as_any().downcast_ref::<StringArray>().unwrap();
        let weights = weights.as_any().downcast_ref::<Int32Array>().unwrap();
        let find = |level: Level, result: AchievementResult| {
            (0..table.num_rows())
                .find(|&row| levels.value(row) == level.code() && results.value(row) == result.code())
                .map(|row| weights.value(row))
        };
        assert_eq!(find(Level::International, AchievementResult::PrizeWinner), Some(12));
        assert_eq!(find(Level::Republican, AchievementResult::HonourableMention), Some(2));
        assert_eq!(find(Level::Regional, AchievementResult::Winner), None);
    }

    #[test]
    fn the_registry_date_is_the_newest_drop_in_kazakhstan_time() {
        use chrono::TimeZone;
        let exported = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 19, 0, 0).unwrap();
        let version = RegistryVersion {
            format: 1,
            version: 3,
            created_at: chrono::Utc.with_ymd_and_hms(2026, 11, 26, 1, 0, 0).unwrap(),
            tables: Default::default(),
            index_generation: None,
            regions: [(
                "35".to_owned(),
                daryn_registry::store::RegionState {
                    drop_id: "d".to_owned(),
                    exported_at: exported,
                    content_sha256: String::new(),
                    children: 1,
                    rows: None,
                    judged_at: None,
                },
            )]
            .into(),
            run: Vec::new(),
            reindexed: false,
        };
        // 19:00 UTC on the 24th is midnight of the 25th in Kazakhstan.
        assert_eq!(registry_date(&version), chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
    }
}
