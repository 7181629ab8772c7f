//! The contract's duplicate rule: when the same IIN is in two regions' current drops,
//! the child belongs to the region whose drop has the newer `exported_at`. It is worked
//! out again after every run from what each region holds, so a conflict ends by itself
//! when either region drops the child, and the other region's record comes back.
//!
//! Both records stay stored; the `conflicts` table lists the ones that give way, and the
//! registry's readers leave those out. Each region involved gets a file that says which
//! of its children are in conflict and who keeps them.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use daryn_registry::iin::mask_text;
use daryn_registry::kazakhstan_time;
use daryn_registry::store::{ConflictRecord, RegionState};
use daryn_registry::{Lang, RegionCode};

use crate::error::Error;

/// Finds every IIN held by more than one region. `held` gives each region's (region,
/// IIN) pairs; `regions` the drop each region holds. The newest export keeps the child;
/// on equal export times the lower region code does, so the outcome never depends on
/// the order of the input. Sorted by region, then IIN.
pub fn resolve(
    regions: &BTreeMap<String, RegionState>,
    held: impl IntoIterator<Item = (String, String)>,
) -> Vec<ConflictRecord> {
    let mut first_holder: HashMap<String, String> = HashMap::new();
    let mut shared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (region, iin) in held {
        match first_holder.get(&iin) {
            None => {
                first_holder.insert(iin, region);
            }
            Some(first) if *first == region => {}
            Some(first) => {
                let holders = shared.entry(iin).or_insert_with(|| vec![first.clone()]);
                if !holders.contains(&region) {
                    holders.push(region);
                }
            }
        }
    }
    drop(first_holder);

    let mut conflicts = Vec::new();
    for (iin, holders) in shared {
        let known: Vec<(&String, &RegionState)> =
            holders.iter().filter_map(|region| Some((region, regions.get(region)?))).collect();
        let Some(&(winner, winner_state)) = known
            .iter()
            .max_by(|(a, a_state), (b, b_state)| a_state.exported_at.cmp(&b_state.exported_at).then_with(|| b.cmp(a)))
        else {
            continue;
        };
        for &(region, state) in known.iter().filter(|(region, _)| *region != winner) {
            conflicts.push(ConflictRecord {
                region: region.clone(),
                iin: iin.clone(),
                drop_id: state.drop_id.clone(),
                exported_at: state.exported_at,
                winner_region: winner.clone(),
                winner_drop_id: winner_state.drop_id.clone(),
                winner_exported_at: winner_state.exported_at,
            });
        }
    }
    conflicts.sort_by(|a, b| (&a.region, &a.iin).cmp(&(&b.region, &b.iin)));
    conflicts
}

/// The same conflicts with IINs masked, for reports shown beyond the registry.
pub fn masked(conflicts: &[ConflictRecord]) -> Vec<ConflictRecord> {
    conflicts.iter().map(|conflict| ConflictRecord { iin: mask_text(&conflict.iin), ..conflict.clone() }).collect()
}

/// Writes `<region>-conflicts.csv` into `folder` for every region a conflict involves,
/// on either side: UTF-8 with a BOM (Excel opens it), IINs masked, and a sentence in
/// Kazakh, Russian and English saying which region keeps the child. Returns the files.
pub fn write_files(folder: &Path, conflicts: &[ConflictRecord]) -> Result<Vec<PathBuf>, Error> {
    let mut by_region: BTreeMap<&str, Vec<(&ConflictRecord, bool)>> = BTreeMap::new();
    for conflict in conflicts {
        by_region.entry(&conflict.region).or_default().push((conflict, false));
        by_region.entry(&conflict.winner_region).or_default().push((conflict, true));
    }
    let mut files = Vec::new();
    for (region, entries) in by_region {
        std::fs::create_dir_all(folder).map_err(Error::write(folder))?;
        let path = folder.join(format!("{region}-conflicts.csv"));
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        {
            let mut writer = crate::run::coordinator_csv(&mut bytes);
            let csv_error = |error: csv::Error| Error::write(&path)(std::io::Error::other(error.to_string()));
            writer
                .write_record([
                    "ЖСН / ИИН / IIN",
                    "басқа өңір / другой регион / other region",
                    "бала кімде / ребёнок в / child kept by",
                    "біздің экспорт / наша выгрузка / our export",
                    "олардың экспорты / их выгрузка / their export",
                    "қазақша",
                    "по-русски",
                    "in English",
                ])
                .map_err(csv_error)?;
            for (conflict, kept) in entries {
                let (other, ours, theirs) = if kept {
                    (&conflict.region, conflict.winner_exported_at, conflict.exported_at)
                } else {
                    (&conflict.winner_region, conflict.exported_at, conflict.winner_exported_at)
                };
                let [kk, ru, en] = conflict_messages(other, kept, ours == theirs);
                writer
                    .write_record([
                        mask_text(&conflict.iin).as_str(),
                        other,
                        if kept { region } else { &conflict.winner_region },
                        &kazakhstan_time(ours).to_rfc3339(),
                        &kazakhstan_time(theirs).to_rfc3339(),
                        &kk,
                        &ru,
                        &en,
                    ])
                    .map_err(csv_error)?;
            }
            writer.flush().map_err(Error::write(&path))?;
        }
        std::fs::write(&path, bytes).map_err(Error::write(&path))?;
        files.push(path);
    }
    Ok(files)
}

/// What a conflict means for one of its two regions, in Kazakh, Russian and English:
/// `other` is the other region's code; `kept` says whether this region keeps the child;
/// `tie`, that the two exports have one time and the lower region code decided.
fn conflict_messages(other: &str, kept: bool, tie: bool) -> [String; 3] {
    let name =
        |lang: Lang| RegionCode::parse(other).map_or_else(|| other.to_owned(), |code| code.region().full_name(lang));
    let (kk, ru, en) = (name(Lang::Kk), name(Lang::Ru), name(Lang::En));
    // «Қарағанды облысы», «Алматы қаласы»: the genitive of both ends in -ның.
    match (kept, tie) {
        (true, false) => [
            format!("бұл бала {kk}ның экспортында да бар; біздің экспорт жаңарақ, бала бізде қалады"),
            format!(
                "этот ребёнок есть и в выгрузке другого региона ({ru}); наша выгрузка новее, ребёнок остаётся за нами"
            ),
            format!("this child is also in the export of {en}; our export is newer, so we keep the child"),
        ],
        (true, true) => [
            format!(
                "бұл бала {kk}ның экспортында да бар; экспорт уақыттары бірдей, ал біздің өңірдің коды кішірек, сондықтан бала бізде қалады"
            ),
            format!(
                "этот ребёнок есть и в выгрузке другого региона ({ru}); время выгрузок одинаковое, а код нашего региона меньше, поэтому ребёнок остаётся за нами"
            ),
            format!(
                "this child is also in the export of {en}; the two exports have the same time and our region's code is lower, so we keep the child"
            ),
        ],
        (false, false) => [
            format!("бұл бала {kk}ның жаңарақ экспортында бар; тізілімде бала сол өңірде"),
            format!("этот ребёнок есть в более новой выгрузке другого региона ({ru}); в реестре он числится там"),
            format!("this child is in the newer export of {en}; the registry counts the child there, not here"),
        ],
        (false, true) => [
            format!(
                "бұл бала {kk}ның экспортында да бар; экспорт уақыттары бірдей, ал сол өңірдің коды кішірек, сондықтан тізілімде бала сол өңірде"
            ),
            format!(
                "этот ребёнок есть и в выгрузке другого региона ({ru}); время выгрузок одинаковое, а код того региона меньше, поэтому в реестре он числится там"
            ),
            format!(
                "this child is also in the export of {en}; the two exports have the same time and that region's code is lower, so the registry counts the child there, not here"
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;

    fn state(drop_id: &str, exported_at: DateTime<Utc>) -> RegionState {
        RegionState {
            drop_id: drop_id.to_owned(),
            exported_at,
            content_sha256: String::new(),
            children: 0,
            rows: None,
            judged_at: None,
        }
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(region, iin)| (region.to_string(), iin.to_string())).collect()
    }

    #[test]
    fn the_newest_export_keeps_the_child_and_the_others_give_way() {
        let early = Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap();
        let late = Utc.with_ymd_and_hms(2026, 11, 24, 19, 0, 0).unwrap();
        let regions = BTreeMap::from([
            ("35".to_owned(), state("35-a", early)),
            ("47".to_owned(), state("47-b", late)),
            ("63".to_owned(), state("63-c", early)),
        ]);
        // 1 is in all three regions; 2 only in 35 and 63 (same time: 35, the lower code,
        // keeps it); 3 only in 47.
        let held = pairs(&[("35", "1"), ("47", "1"), ("63", "1"), ("35", "2"), ("63", "2"), ("47", "3")]);
        let conflicts = resolve(&regions, held.clone());
        let found: Vec<(&str, &str, &str)> =
            conflicts.iter().map(|c| (c.region.as_str(), c.iin.as_str(), c.winner_region.as_str())).collect();
        assert_eq!(found, [("35", "1", "47"), ("63", "1", "47"), ("63", "2", "35")]);
        assert_eq!(conflicts[0].winner_exported_at, late);
        assert_eq!(conflicts[0].exported_at, early);

        let mut reversed = held;
        reversed.reverse();
        assert_eq!(resolve(&regions, reversed), conflicts, "the input order must not matter");
    }

    #[test]
    fn no_conflict_without_a_shared_iin() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap();
        let regions = BTreeMap::from([("35".to_owned(), state("35-a", now)), ("47".to_owned(), state("47-b", now))]);
        assert!(resolve(&regions, pairs(&[("35", "1"), ("47", "2"), ("35", "1")])).is_empty());
    }

    #[test]
    fn both_regions_get_a_file_that_masks_the_iin() {
        let early = Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap();
        let late = Utc.with_ymd_and_hms(2026, 11, 24, 19, 0, 0).unwrap();
        let regions = BTreeMap::from([("35".to_owned(), state("35-a", early)), ("47".to_owned(), state("47-b", late))]);
        let conflicts = resolve(&regions, pairs(&[("35", "080515600123"), ("47", "080515600123")]));
        let folder = tempfile::tempdir().unwrap();
        let files = write_files(folder.path(), &conflicts).unwrap();
        assert_eq!(files.len(), 2);
        let loser = std::fs::read_to_string(folder.path().join("35-conflicts.csv")).unwrap();
        let winner = std::fs::read_to_string(folder.path().join("47-conflicts.csv")).unwrap();
        assert!(loser.starts_with('\u{feff}'));
        for text in [&loser, &winner] {
            assert!(!text.contains("080515600123"), "the IIN must be masked:\n{text}");
            assert!(text.contains("080515*****3"), "{text}");
        }
        assert!(loser.contains("the registry counts the child there"), "{loser}");
        assert!(winner.contains("so we keep the child"), "{winner}");
        // Each names the other region, not its code, and in the genitive in Kazakh.
        assert!(loser.contains("Маңғыстау облысының жаңарақ экспортында"), "{loser}");
        assert!(winner.contains("Қарағанды облысының экспортында да бар"), "{winner}");
        assert!(winner.contains("(Карагандинская область)"), "{winner}");
    }

    #[test]
    fn equal_export_times_are_told_as_decided_by_the_region_code() {
        let [kk, ru, en] = conflict_messages("75", true, true);
        assert!(kk.starts_with("бұл бала Алматы қаласының экспортында да бар; экспорт уақыттары бірдей"), "{kk}");
        assert!(ru.contains("(г. Алматы); время выгрузок одинаковое, а код нашего региона меньше"), "{ru}");
        assert!(en.contains("the export of Almaty city; the two exports have the same time"), "{en}");
        let [_, _, en] = conflict_messages("75", false, true);
        assert!(en.contains("that region's code is lower"), "{en}");
    }
}
