//! Where the synthetic children live: each region's share of the country, its districts
//! (from a KATO classifier when one is given, invented otherwise), and each district's
//! schools with a fixed rural or urban type.

use daryn_registry::enums::AreaType;
use daryn_registry::kato::{KatoClassifier, KatoCode, Region, RegionCode, RegionKind};

use super::rng::Rng;
use super::vocab::Vocab;

/// A region's share of the registry's children and of them the share that is rural,
/// and the share of Russian names. Shares follow each unit's population of school age
/// and how rural it is: the southern oblasts and the three cities are the largest, Ulytau
/// the smallest; the three cities are urban; the north has more Russian names.
pub fn region_profile(code: RegionCode) -> (f64, f64, f64) {
    match code.number() {
        10 => (3.0, 0.70, 0.12),  // Abay
        11 => (3.0, 0.78, 0.35),  // Akmola
        15 => (4.5, 0.62, 0.10),  // Aktobe
        19 => (9.0, 0.86, 0.12),  // Almaty region
        23 => (3.5, 0.72, 0.04),  // Atyrau
        27 => (3.0, 0.74, 0.20),  // West Kazakhstan
        31 => (6.5, 0.80, 0.08),  // Zhambyl
        33 => (3.5, 0.80, 0.12),  // Zhetysu
        35 => (5.0, 0.55, 0.38),  // Karagandy
        39 => (3.0, 0.76, 0.42),  // Kostanay
        43 => (5.0, 0.78, 0.03),  // Kyzylorda
        47 => (4.5, 0.70, 0.04),  // Mangystau
        55 => (3.0, 0.70, 0.40),  // Pavlodar
        59 => (2.2, 0.84, 0.45),  // North Kazakhstan
        61 => (13.0, 0.88, 0.03), // Turkestan
        62 => (1.0, 0.60, 0.15),  // Ulytau
        63 => (3.5, 0.70, 0.33),  // East Kazakhstan
        71 => (7.5, 0.02, 0.15),  // Astana
        75 => (9.0, 0.02, 0.25),  // Almaty city
        _ => (8.0, 0.03, 0.07),   // Shymkent (79)
    }
}

/// How many of `total` children each region gets, in region order; the counts add up.
pub fn split_children(total: u64) -> Vec<(RegionCode, u64)> {
    let weights: Vec<f64> = Region::all().iter().map(|region| region_profile(region.code).0).collect();
    let sum: f64 = weights.iter().sum();
    let mut counts: Vec<u64> = weights.iter().map(|weight| (total as f64 * weight / sum).floor() as u64).collect();
    let mut remainder = total - counts.iter().sum::<u64>();
    // Hand the rounding remainder to the largest regions first.
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
    for &index in order.iter().cycle() {
        if remainder == 0 {
            break;
        }
        counts[index] += 1;
        remainder -= 1;
    }
    Region::all().iter().zip(counts).map(|(region, count)| (region.code, count)).collect()
}

pub struct School {
    pub code: String,
    pub name: String,
    pub locality: String,
    pub area_type: AreaType,
    /// How many children it draws, relative to the district's other schools.
    pub weight: f64,
    /// Indices of its teachers in the region's teacher list.
    pub teachers: Vec<usize>,
}

pub struct District {
    pub code: KatoCode,
    /// A name the classifier knows, when there is a classifier.
    pub name: Option<String>,
    pub schools: Vec<School>,
    pub coordinators: Vec<String>,
    pub weight: f64,
}

/// Lays out a region's districts and schools for about `children` children.
pub fn lay_out(code: RegionCode, children: u64, classifier: Option<&KatoClassifier>, rng: &mut Rng) -> Vec<District> {
    let vocab = Vocab::get();
    let region = code.region();
    let (_, rural_share, _) = region_profile(code);
    let known: Vec<(KatoCode, Option<String>)> = classifier
        .map(|classifier| {
            // A name is only written when it leads back to its district alone.
            let unique_name = |district: &daryn_registry::kato::District| {
                [&district.name_kk, &district.name_ru, &district.name_en]
                    .into_iter()
                    .find(|name| classifier.find_by_name(code, name) == Some(district.code))
                    .cloned()
            };
            classifier.districts_of(code).into_iter().map(|district| (district.code, unique_name(district))).collect()
        })
        .unwrap_or_default();
    let districts: Vec<(KatoCode, Option<String>)> = if known.is_empty() {
        let count = if region.kind == RegionKind::City { 4 + rng.range(0, 4) } else { 8 + rng.range(0, 9) };
        (0..count)
            .map(|index| {
                let number = code.kato().value() + 1_000_000 + index as u32 * 200_000;
                (KatoCode::parse(&format!("{number:09}")).expect("a nine-digit code"), None)
            })
            .collect()
    } else {
        known
    };
    // Schools: about one per 120 registered children, at least three per district.
    let schools_total = (children / 120).max(3 * districts.len() as u64);
    let per_district = schools_total.div_ceil(districts.len() as u64).max(3);
    let mut school_serial = 0u32;
    districts
        .into_iter()
        .enumerate()
        .map(|(index, (district_code, name))| {
            // In an oblast the first unit is the regional centre: urban. Elsewhere most
            // schools are rural, so that the region's rural share comes out right.
            let urban_share = if region.kind == RegionKind::City {
                1.0 - rural_share
            } else if index == 0 {
                1.0
            } else {
                (1.0 - rural_share * 1.15).clamp(0.05, 0.6)
            };
            let schools = (0..per_district)
                .map(|_| {
                    school_serial += 1;
                    let area_type = if rng.chance(urban_share) { AreaType::Urban } else { AreaType::Rural };
                    let locality_root = *rng.pick(&vocab.locality_roots);
                    let locality = match area_type {
                        AreaType::Rural => format!("{locality_root} ауылы"),
                        AreaType::Urban if region.kind == RegionKind::City => region.name.kk.to_owned(),
                        AreaType::Urban => format!("{locality_root} қаласы"),
                    };
                    let pattern = *rng.pick(&vocab.school_patterns);
                    let name = pattern
                        .replace("{n}", &(1 + rng.range(0, 120)).to_string())
                        .replace("{loc}", locality_root)
                        .replace("{person}", rng.pick::<&str>(&vocab.school_persons));
                    School {
                        code: format!("{}{:05}", code, school_serial),
                        name,
                        locality,
                        area_type,
                        weight: 0.5 + rng.unit() * 1.5,
                        teachers: Vec::new(),
                    }
                })
                .collect();
            let coordinators = (0..1 + rng.range(0, 3))
                .map(|_| {
                    let surname = *rng.pick(&vocab.kk_surnames);
                    let first = rng.pick(&vocab.kk_female).chars().next().unwrap_or('А');
                    let second = rng.pick(&vocab.kk_male).chars().next().unwrap_or('Б');
                    format!("{surname}а {first}.{second}.")
                })
                .collect();
            let weight = if index == 0 && region.kind == RegionKind::Oblast { 2.0 } else { 0.6 + rng.unit() };
            District { code: district_code, name, schools, coordinators, weight }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_adds_up_and_follows_population() {
        let split = split_children(1_000_000);
        assert_eq!(split.iter().map(|(_, count)| count).sum::<u64>(), 1_000_000);
        let count = |code: &str| split.iter().find(|(region, _)| region.to_string() == code).unwrap().1;
        let ulytau = count("62");
        for (region, children) in &split {
            assert!(*children >= ulytau, "{region} is smaller than Ulytau");
        }
        let largest_five = ["61", "75", "19", "79", "71"];
        let smallest_of_five = largest_five.iter().map(|code| count(code)).min().unwrap();
        for (region, children) in &split {
            if !largest_five.contains(&region.to_string().as_str()) {
                assert!(*children < smallest_of_five, "{region} outgrows the five largest");
            }
        }
    }

    #[test]
    fn about_sixty_percent_of_children_are_rural() {
        let split = split_children(1_000_000);
        let rural: f64 = split.iter().map(|(code, count)| *count as f64 * region_profile(*code).1).sum();
        let share = rural / 1_000_000.0;
        assert!((0.55..=0.68).contains(&share), "rural share {share}");
    }
}
