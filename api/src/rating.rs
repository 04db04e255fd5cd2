//! Reader ratings: one to five stars, one vote per reader, the summary both sides compute alike.

use serde::{Deserialize, Deserializer, Serialize};

use crate::parse::ParseError;

/// The header that carries a reader's random token with rating requests.
pub const READER_TOKEN_HEADER: &str = "x-reader-token";

/// A reader's random token (the widget makes a UUID): 16–64 characters of letters, digits and `-`.
/// The server keeps only a keyed hash of it, and never sends it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReaderToken(String);

impl ReaderToken {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let ok = (16..=64).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::msg("must be 16 to 64 letters, digits or hyphens"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A vote: a whole number of stars from 1 to 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u8, example = 4))]
pub struct Stars(u8);

impl Stars {
    pub const MAX: u8 = 5;

    pub fn new(n: u8) -> Result<Self, ParseError> {
        if (1..=Self::MAX).contains(&n) {
            Ok(Self(n))
        } else {
            Err(ParseError::msg("must be a whole number from 1 to 5"))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// 1 to 5, in order.
    pub fn all() -> impl Iterator<Item = Stars> {
        (1..=Self::MAX).map(Stars)
    }
}

impl<'de> Deserialize<'de> for Stars {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only a JSON integer: 2.5, "4", true and null are all refused.
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Stars;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number from 1 to 5")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Stars, E> {
                u8::try_from(v)
                    .ok()
                    .and_then(|n| Stars::new(n).ok())
                    .ok_or_else(|| E::custom("must be a whole number from 1 to 5"))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Stars, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom("must be a whole number from 1 to 5"))
                    .and_then(|v| self.visit_u64(v))
            }
        }
        d.deserialize_u64(Visitor)
    }
}

/// The body of `PUT /api/v1/articles/{slug}/rating`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    pub stars: Stars,
}

/// An article's reader rating, as `GET` and `PUT …/rating` answer it.
///
/// Deserializing one keeps only the histogram (each count below 2^53, and their sum too) and the
/// reader's own vote, and computes the count, the mean and the percentage from them: a backend
/// cannot send a negative, huge, non-finite or inconsistent figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawSummary")]
pub struct RatingSummary {
    pub count: u64,
    /// The mean of the votes, 0 to 5 (0 when nobody voted).
    pub average: f64,
    /// `average / 5 × 100`.
    pub percent: f64,
    /// How many votes gave 1, 2, 3, 4 and 5 stars.
    pub histogram: [u64; 5],
    /// The requesting reader's own vote, when the reader token has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub your_stars: Option<Stars>,
}

#[derive(Deserialize)]
struct RawSummary {
    histogram: [u64; 5],
    #[serde(default)]
    your_stars: Option<Stars>,
}

impl TryFrom<RawSummary> for RatingSummary {
    type Error = String;

    fn try_from(raw: RawSummary) -> Result<Self, String> {
        let max = crate::parse::MAX_SAFE_INTEGER;
        let sum = raw.histogram.iter().try_fold(0u64, |acc, &n| acc.checked_add(n).filter(|s| *s <= max));
        if sum.is_none() {
            return Err("the histogram's counts add up to more than 2^53".into());
        }
        Ok(Self::from_histogram(raw.histogram, raw.your_stars))
    }
}

impl RatingSummary {
    pub fn from_histogram(histogram: [u64; 5], your_stars: Option<Stars>) -> Self {
        let count: u64 = histogram.iter().sum();
        let total: u64 = histogram.iter().zip(1..).map(|(n, stars)| n * stars).sum();
        let average = if count == 0 { 0.0 } else { total as f64 / count as f64 };
        Self { count, average, percent: average / f64::from(Stars::MAX) * 100.0, histogram, your_stars }
    }

    /// The summary once this reader's vote is `stars`: their earlier vote, if any, is replaced.
    /// The widget shows it at once, before the server confirms.
    pub fn with_vote(&self, stars: Stars) -> Self {
        let mut histogram = self.histogram;
        if let Some(old) = self.your_stars {
            let slot = &mut histogram[usize::from(old.get() - 1)];
            *slot = slot.saturating_sub(1);
        }
        histogram[usize::from(stars.get() - 1)] += 1;
        Self::from_histogram(histogram, Some(stars))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_parse_only_whole_numbers_one_to_five() {
        for n in 1..=5 {
            let parsed: RatingInput = serde_json::from_str(&format!("{{\"stars\": {n}}}")).unwrap();
            assert_eq!(parsed.stars.get(), n);
        }
        for bad in ["0", "6", "-1", "2.5", "\"4\"", "null", "true", "300"] {
            assert!(serde_json::from_str::<RatingInput>(&format!("{{\"stars\": {bad}}}")).is_err(), "{bad} parsed");
        }
        assert!(serde_json::from_str::<RatingInput>("{}").is_err());
    }

    #[test]
    fn a_served_summary_is_recomputed_from_its_histogram() {
        let s: RatingSummary =
            serde_json::from_str(r#"{"count": -4, "average": 99, "percent": 1e308, "histogram": [0, 1, 0, 1, 0]}"#)
                .unwrap();
        assert_eq!((s.count, s.average, s.percent), (2, 3.0, 60.0));
        for bad in [
            r#"{"histogram": [0, -1, 0, 0, 0]}"#,
            r#"{"histogram": [1e300, 0, 0, 0, 0]}"#,
            r#"{"histogram": [9007199254740991, 1, 0, 0, 0]}"#,
            r#"{"histogram": [0, 0, 0]}"#,
            r#"{"histogram": [0, 0, 0, 0, 0], "your_stars": 9}"#,
        ] {
            assert!(serde_json::from_str::<RatingSummary>(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn summary_figures() {
        let empty = RatingSummary::from_histogram([0; 5], None);
        assert_eq!((empty.count, empty.average, empty.percent), (0, 0.0, 0.0));
        let s = RatingSummary::from_histogram([0, 1, 0, 1, 0], None);
        assert_eq!((s.count, s.average, s.percent), (2, 3.0, 60.0));
        let s = RatingSummary::from_histogram([1, 2, 3, 10, 9], None);
        assert_eq!(s.count, 25);
        assert!((s.average - 3.96).abs() < 1e-9 && (s.percent - 79.2).abs() < 1e-9);
    }

    #[test]
    fn a_second_vote_replaces_the_first() {
        let four = Stars::new(4).unwrap();
        let two = Stars::new(2).unwrap();
        let first = RatingSummary::from_histogram([0, 0, 0, 0, 1], None).with_vote(four);
        assert_eq!((first.count, first.histogram, first.your_stars), (2, [0, 0, 0, 1, 1], Some(four)));
        let changed = first.with_vote(two);
        assert_eq!((changed.count, changed.histogram, changed.average), (2, [0, 1, 0, 0, 1], 3.5));
    }
}
