//! Terraform numbers, kept exact.
//!
//! Terraform (go-cty) holds numbers as 512-bit big floats and puts them on the
//! wire as an integer when the value is an exact int64, as a float64 when it is
//! an exact float64, and as a decimal string otherwise (`0.1` travels as the
//! string "0.1"). [`Number`] keeps the same three forms, chosen by the same
//! rule, so every number decodes and re-encodes without loss and two equal
//! numbers always have the same representation (derived equality is numeric
//! equality).

use std::fmt;
use std::str::FromStr;

/// A finite or infinite Terraform number (never NaN).
#[derive(Clone, Debug, PartialEq)]
pub struct Number(Repr);

#[derive(Clone, Debug, PartialEq)]
enum Repr {
    /// Any integer that fits in i64.
    Int(i64),
    /// Exactly representable as f64 and not an i64 (fractions like 1.5,
    /// integers beyond i64 like 2^64, and the infinities).
    Float(f64),
    /// Anything else, as a normalized plain decimal: optional `-`, no
    /// exponent, no leading zeros, no trailing fractional zeros.
    Decimal(String),
}

/// The wire form a [`Number`] takes (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumberRepr<'a> {
    Int(i64),
    Float(f64),
    Decimal(&'a str),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("NaN is not a valid number")]
    NaN,
    #[error("{0:?} is not a valid number")]
    Syntax(String),
    #[error("exponent of {0:?} is out of range")]
    ExponentRange(String),
}

/// Exponents beyond this are refused: `1e999999999` would expand into a
/// gigabyte of digits. Real configuration never comes close.
const MAX_EXPONENT: i64 = 4096;

impl Number {
    pub fn from_i64(n: i64) -> Self {
        Number(Repr::Int(n))
    }

    pub fn from_u64(n: u64) -> Self {
        match i64::try_from(n) {
            Ok(i) => Number(Repr::Int(i)),
            Err(_) => Self::from_canonical(false, &n.to_string(), ""),
        }
    }

    /// Fails only for NaN, which Terraform has no value for.
    pub fn from_f64(f: f64) -> Result<Self, NumberError> {
        if f.is_nan() {
            return Err(NumberError::NaN);
        }
        // 2^63 is the first float past i64::MAX; `as` would saturate.
        const TWO_63: f64 = 9_223_372_036_854_775_808.0;
        if f.fract() == 0.0 && (-TWO_63..TWO_63).contains(&f) {
            Ok(Number(Repr::Int(f as i64)))
        } else {
            Ok(Number(Repr::Float(f)))
        }
    }

    /// The form to put on the wire.
    pub fn repr(&self) -> NumberRepr<'_> {
        match &self.0 {
            Repr::Int(i) => NumberRepr::Int(*i),
            Repr::Float(f) => NumberRepr::Float(*f),
            Repr::Decimal(s) => NumberRepr::Decimal(s),
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::Int(i) => Some(i),
            _ => None,
        }
    }

    /// Nearest f64; lossy for decimals that f64 cannot hold.
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Int(i) => *i as f64,
            Repr::Float(f) => *f,
            // A normalized decimal always parses.
            Repr::Decimal(s) => s.parse().unwrap_or(f64::NAN),
        }
    }

    /// Builds from normalized parts (no sign in `int`, no leading zeros in
    /// `int`, no trailing zeros in `frac`), choosing the representation.
    fn from_canonical(negative: bool, int: &str, frac: &str) -> Self {
        let sign = if negative { "-" } else { "" };
        let int = if int.is_empty() { "0" } else { int };
        if frac.is_empty() {
            let text = format!("{sign}{int}");
            if let Ok(i) = text.parse::<i64>() {
                return Number(Repr::Int(i));
            }
            if let Ok(f) = text.parse::<f64>() {
                if f.is_finite() && exact_decimal(f) == text {
                    return Number(Repr::Float(f));
                }
            }
            return Number(Repr::Decimal(text));
        }
        let text = format!("{sign}{int}.{frac}");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() && exact_decimal(f) == text => Number(Repr::Float(f)),
            _ => Number(Repr::Decimal(text)),
        }
    }
}

/// The exact decimal expansion of a finite f64. Every binary fraction has a
/// finite decimal expansion with as many fractional digits as it has
/// fractional bits, and Rust's fixed-precision formatting is exact.
fn exact_decimal(f: f64) -> String {
    if f == 0.0 {
        return "0".to_owned();
    }
    let bits = f.to_bits();
    let exp_field = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mantissa, exp) = if exp_field == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), exp_field - 1075)
    };
    // value = mantissa * 2^exp; after dropping the mantissa's trailing zero
    // bits, -exp is the number of fractional bits (and decimal digits).
    let exp = exp + i64::from(mantissa.trailing_zeros());
    let frac_digits = if exp < 0 { (-exp) as usize } else { 0 };
    format!("{f:.frac_digits$}")
}

impl FromStr for Number {
    type Err = NumberError;

    /// Accepts JSON-style decimals with optional sign and exponent
    /// (`-12.50e3`), plus `Infinity`/`Inf` with optional sign.
    fn from_str(s: &str) -> Result<Self, NumberError> {
        let syntax = || NumberError::Syntax(s.to_owned());
        let (negative, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
            let inf = if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            return Ok(Number(Repr::Float(inf)));
        }
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => {
                let e: i64 = rest[i + 1..].parse().map_err(|_| syntax())?;
                if !(-MAX_EXPONENT..=MAX_EXPONENT).contains(&e) {
                    return Err(NumberError::ExponentRange(s.to_owned()));
                }
                (&rest[..i], e)
            }
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
            return Err(syntax());
        }
        // Shift the decimal point by the exponent over the digit string.
        let digits = format!("{int}{frac}");
        let point = int.len() as i64 + exponent;
        let (int_part, frac_part) = if point <= 0 {
            (
                String::new(),
                format!("{}{digits}", "0".repeat((-point) as usize)),
            )
        } else if point as usize >= digits.len() {
            let zeros = "0".repeat(point as usize - digits.len());
            (format!("{digits}{zeros}"), String::new())
        } else {
            let (a, b) = digits.split_at(point as usize);
            (a.to_owned(), b.to_owned())
        };
        let int_part = int_part.trim_start_matches('0');
        let frac_part = frac_part.trim_end_matches('0');
        if int_part.is_empty() && frac_part.is_empty() {
            return Ok(Number(Repr::Int(0)));
        }
        Ok(Self::from_canonical(negative, int_part, frac_part))
    }
}

impl fmt::Display for Number {
    /// The exact value as a plain decimal, never an exponent, so that the
    /// text parses back to the same number (this is also the JSON form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Int(i) => write!(f, "{i}"),
            Repr::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { "Infinity" } else { "-Infinity" })
            }
            Repr::Float(x) => f.write_str(&exact_decimal(*x)),
            Repr::Decimal(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Self::from_i64(n)
    }
}

impl From<i32> for Number {
    fn from(n: i32) -> Self {
        Self::from_i64(n.into())
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Self::from_u64(n)
    }
}

impl TryFrom<f64> for Number {
    type Error = NumberError;
    fn try_from(f: f64) -> Result<Self, NumberError> {
        Self::from_f64(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        s.parse().expect("valid number")
    }

    #[test]
    fn picks_the_wire_form_terraform_uses() {
        assert_eq!(n("42").repr(), NumberRepr::Int(42));
        assert_eq!(n("-9223372036854775808").repr(), NumberRepr::Int(i64::MIN));
        assert_eq!(n("1.5").repr(), NumberRepr::Float(1.5));
        assert_eq!(
            n("18446744073709551616").repr(),
            NumberRepr::Float(18446744073709551616.0)
        );
        // 0.1 has no exact binary form: it must stay a decimal string.
        assert_eq!(n("0.1").repr(), NumberRepr::Decimal("0.1"));
        assert_eq!(
            n("9223372036854775809").repr(),
            NumberRepr::Decimal("9223372036854775809")
        );
    }

    #[test]
    fn normalizes_spelling() {
        assert_eq!(n("001.2500"), n("1.25"));
        assert_eq!(n("-0"), n("0"));
        assert_eq!(n("1e3"), Number::from(1000));
        assert_eq!(n("12.5E-1"), n("1.25"));
        assert_eq!(n("+.5"), n("0.5"));
        assert_eq!(n("0.1e1"), n("1"));
        assert_eq!(n("123.456e-5").to_string(), "0.00123456");
    }

    #[test]
    fn float_and_parsed_forms_agree() {
        for f in [0.5, -2.75, 1e300, 5e-324, 123456.789, 2f64.powi(70)] {
            let from_f = Number::from_f64(f).expect("not NaN");
            let exact = exact_decimal(f);
            assert_eq!(from_f, n(&exact), "{f}");
        }
        assert_eq!(Number::from_f64(3.0).expect("not NaN"), Number::from(3));
        assert_eq!(Number::from_f64(-0.0).expect("not NaN"), Number::from(0));
        assert_eq!(Number::from_u64(u64::MAX).to_string(), u64::MAX.to_string());
    }

    #[test]
    fn refuses_garbage() {
        assert_eq!(Number::from_f64(f64::NAN), Err(NumberError::NaN));
        for bad in ["", "-", ".", "1.2.3", "abc", "1e", "0x10", "1 ", "--1"] {
            assert!(bad.parse::<Number>().is_err(), "{bad:?}");
        }
        assert!(matches!(
            "1e999999".parse::<Number>(),
            Err(NumberError::ExponentRange(_))
        ));
    }

    #[test]
    fn infinities() {
        assert_eq!(n("-Infinity").repr(), NumberRepr::Float(f64::NEG_INFINITY));
        assert_eq!(
            Number::from_f64(f64::INFINITY).expect("inf").to_string(),
            "Infinity"
        );
    }
}
