//! Invented people: Kazakh and Russian names in realistic forms, and valid IINs that
//! agree with the birth date and sex and never repeat within a region.

use std::collections::HashSet;

use chrono::NaiveDate;
use daryn_registry::Iin;
use daryn_registry::enums::Sex;

use super::rng::Rng;
use super::vocab::Vocab;

pub struct Name {
    pub last: String,
    pub first: String,
    pub patronymic: Option<String>,
    /// True for a Russian name: the instruction language leans Russian too.
    pub russian: bool,
}

/// A full name for someone of `sex`; `russian_share` is the chance of a Russian name.
pub fn name(rng: &mut Rng, sex: Sex, russian_share: f64) -> Name {
    let vocab = Vocab::get();
    let russian = rng.chance(russian_share);
    let female = sex == Sex::Female;
    if russian {
        let first = if female { *rng.pick(&vocab.ru_female) } else { *rng.pick(&vocab.ru_male) };
        let surname = *rng.pick(&vocab.ru_surnames);
        let father = *rng.pick(&vocab.ru_male);
        return Name {
            last: if female { format!("{surname}а") } else { surname.to_owned() },
            first: first.to_owned(),
            patronymic: russian_patronymic(father, female),
            russian,
        };
    }
    let first = if female { *rng.pick(&vocab.kk_female) } else { *rng.pick(&vocab.kk_male) };
    let surname = *rng.pick(&vocab.kk_surnames);
    let father = *rng.pick(&vocab.kk_male);
    let patronymic = match rng.range(0, 10) {
        0..=4 => Some(format!("{father}{}", if female { "қызы" } else { "ұлы" })),
        5..=8 => russian_patronymic(father, female),
        _ => None,
    };
    Name {
        last: if female { format!("{surname}а") } else { surname.to_owned() },
        first: first.to_owned(),
        patronymic,
        russian,
    }
}

/// Сергей → Сергеевич / Сергеевна; Нұрлан → Нұрланович / Нұрлановна. Names that end
/// in a vowel other than й take no Russian-style patronymic here.
fn russian_patronymic(father: &str, female: bool) -> Option<String> {
    let last = father.chars().last()?;
    if let Some(stem) = father.strip_suffix('й') {
        return Some(format!("{stem}{}", if female { "евна" } else { "евич" }));
    }
    if "аеёиоуыэюяәөұүі".contains(last) {
        return None;
    }
    Some(format!("{father}{}", if female { "овна" } else { "ович" }))
}

/// Hands out IINs that are valid, agree with the birth date and sex, and are unique in
/// this allocator. `block` keeps regions apart: each draws serials from its own band.
pub struct IinAllocator {
    used: HashSet<Iin>,
    band_start: u16,
    band_size: u16,
}

impl IinAllocator {
    pub fn new(block: u16, blocks: u16) -> IinAllocator {
        let band_size = 10_000 / blocks;
        IinAllocator { used: HashSet::new(), band_start: block * band_size, band_size }
    }

    pub fn allocate(&mut self, rng: &mut Rng, birth_date: NaiveDate, sex: Sex) -> Iin {
        loop {
            let serial = self.band_start + rng.range(0, u64::from(self.band_size)) as u16;
            if let Some(iin) = Iin::compose(birth_date, sex, serial)
                && self.used.insert(iin)
            {
                return iin;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patronymics_follow_the_fathers_name() {
        assert_eq!(russian_patronymic("Сергей", false).as_deref(), Some("Сергеевич"));
        assert_eq!(russian_patronymic("Нұрлан", true).as_deref(), Some("Нұрлановна"));
        assert_eq!(russian_patronymic("Илья", false), None);
    }

    #[test]
    fn allocated_iins_are_unique_and_agree_with_birth_and_sex() {
        let mut rng = Rng::new(1, 2);
        let mut allocator = IinAllocator::new(3, 20);
        let birth = NaiveDate::from_ymd_opt(2012, 5, 17).unwrap();
        let mut seen = HashSet::new();
        for _ in 0..400 {
            let iin = allocator.allocate(&mut rng, birth, Sex::Female);
            assert!(seen.insert(iin));
            assert_eq!(iin.birth_date(), birth);
            assert_eq!(iin.sex(), Sex::Female);
        }
    }
}
