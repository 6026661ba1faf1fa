//! Every key a serde type accepts, found by deserializing it from a probe
//! instead of a file: a `Deserializer` that answers each struct with all of
//! its fields (serde hands their names to `deserialize_struct`), each
//! sequence with one element, each map with one entry and each enum with its
//! first variant, recording the path of every field on the way.
//!
//! A value the probe cannot fake (a country code, a tagged enum) fails the
//! run; the probe then runs again with that path left out, until a run
//! completes, so one such value hides nothing else. Internally tagged enums
//! (`action = { type = "block", ... }`) cannot be walked this way (serde
//! buffers them before their type is known): they are recorded as opaque,
//! and [`tagged_keys`] lists their keys from serde's own errors.
//!
//! Paths: `a.b` is key `b` of table `a`; `a[].b` is key `b` of each `[[a]]`
//! entry (or each element of array `a`); `a.<name>.b` is key `b` under a
//! name of the user's choosing.

use serde::de::{self, DeserializeSeed, Expected, IntoDeserializer, Visitor};
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What a full probe of a type found.
#[derive(Debug, Default)]
pub struct Keys {
    /// Every key path.
    pub keys: BTreeSet<String>,
    /// Paths of internally tagged enums, with the enum's name.
    pub opaque: BTreeMap<String, String>,
}

/// The keys of `T`, probed from the top.
pub fn keys_of<T: for<'de> Deserialize<'de>>() -> Keys {
    let state = State::default();
    for _ in 0..10_000 {
        *state.current.borrow_mut() = String::new();
        if T::deserialize(Probe::new(&state, String::new(), Vec::new())).is_ok() {
            return Keys {
                keys: state.keys.take(),
                opaque: state.opaque.take(),
            };
        }
        let failed = state.current.borrow().clone();
        assert!(
            state.omitted.borrow_mut().insert(failed.clone()),
            "the probe failed twice at {failed:?}"
        );
    }
    panic!("the probe did not converge");
}

/// The keys of an internally tagged enum `T` whose tag is `tag`: the tag and
/// the fields of every variant, read from the errors serde reports for an
/// unknown variant and for an unknown field.
pub fn tagged_keys<T: for<'de> Deserialize<'de>>(tag: &str) -> BTreeSet<String> {
    let variants = expected_by(|| {
        T::deserialize(map(&[(tag, "\u{0}")])).err();
    });
    assert!(!variants.is_empty(), "no variants: is {tag:?} the tag?");
    let mut keys = BTreeSet::from([tag.to_string()]);
    for variant in variants {
        let fields = expected_by(|| {
            T::deserialize(map(&[(tag, variant), ("\u{0}", "")])).err();
        });
        keys.extend(fields.iter().map(|f| f.to_string()));
    }
    keys
}

fn map<'a>(
    entries: &'a [(&'a str, &'a str)],
) -> de::value::MapDeserializer<
    'a,
    std::iter::Copied<std::slice::Iter<'a, (&'a str, &'a str)>>,
    ProbeError,
> {
    de::value::MapDeserializer::new(entries.iter().copied())
}

thread_local! {
    /// The names serde listed in the last unknown-variant or unknown-field error.
    static EXPECTED: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

fn expected_by(run: impl FnOnce()) -> Vec<&'static str> {
    EXPECTED.with(|e| e.borrow_mut().clear());
    run();
    EXPECTED.with(|e| e.take())
}

/// The probe's error: any failure, plus the names serde says it expected.
#[derive(Debug)]
pub struct ProbeError(String);

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProbeError {}

impl de::Error for ProbeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        ProbeError(message.to_string())
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        EXPECTED.with(|e| *e.borrow_mut() = expected.to_vec());
        ProbeError(format!("unknown variant {variant:?}"))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        EXPECTED.with(|e| *e.borrow_mut() = expected.to_vec());
        ProbeError(format!("unknown field {field:?}"))
    }
}

#[derive(Default)]
struct State {
    keys: RefCell<BTreeSet<String>>,
    opaque: RefCell<BTreeMap<String, String>>,
    /// Paths left out: a run failed there.
    omitted: RefCell<BTreeSet<String>>,
    /// The path entered last: where a failing run failed.
    current: RefCell<String>,
}

struct Probe<'s> {
    state: &'s State,
    path: String,
    /// The structs this value is inside, by name: a type that contains
    /// itself (a schema's `properties`) is walked once.
    within: Vec<&'static str>,
}

impl<'s> Probe<'s> {
    fn new(state: &'s State, path: String, within: Vec<&'static str>) -> Self {
        *state.current.borrow_mut() = path.clone();
        Probe {
            state,
            path,
            within,
        }
    }

    fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn omitted(&self, path: &str) -> bool {
        self.state.omitted.borrow().contains(path)
    }
}

/// The entries of a struct (every field not omitted) or of a map (one).
struct Entries<'s> {
    state: &'s State,
    within: Vec<&'static str>,
    /// (key, path of its value)
    entries: std::vec::IntoIter<(&'static str, String)>,
    value_path: Option<String>,
}

impl<'s> Entries<'s> {
    fn new(
        state: &'s State,
        within: Vec<&'static str>,
        entries: Vec<(&'static str, String)>,
    ) -> Self {
        Entries {
            state,
            within,
            entries: entries.into_iter(),
            value_path: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for Entries<'_> {
    type Error = ProbeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ProbeError> {
        let Some((key, path)) = self.entries.next() else {
            return Ok(None);
        };
        self.value_path = Some(path);
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ProbeError> {
        let path = self.value_path.take().unwrap_or_default();
        seed.deserialize(Probe::new(self.state, path, self.within.clone()))
    }
}

/// A sequence of one element (none when its path is omitted).
struct OneElement<'s> {
    state: &'s State,
    within: Vec<&'static str>,
    path: Option<String>,
}

impl<'de> de::SeqAccess<'de> for OneElement<'_> {
    type Error = ProbeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ProbeError> {
        match self.path.take() {
            Some(path) => seed
                .deserialize(Probe::new(self.state, path, self.within.clone()))
                .map(Some),
            None => Ok(None),
        }
    }
}

/// An enum's first variant.
struct FirstVariant<'s> {
    probe: Probe<'s>,
    variants: &'static [&'static str],
}

impl<'de, 's> de::EnumAccess<'de> for FirstVariant<'s> {
    type Error = ProbeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), ProbeError> {
        let first = self.variants.first().copied().unwrap_or_default();
        let value = seed.deserialize(first.into_deserializer())?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for FirstVariant<'_> {
    type Error = ProbeError;

    fn unit_variant(self) -> Result<(), ProbeError> {
        Ok(())
    }

    /// A variant that carries a value is written as a key (`match = { route = "api" }`):
    /// every variant is one.
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, ProbeError> {
        let mut keys = self.probe.state.keys.borrow_mut();
        keys.extend(self.variants.iter().map(|v| self.probe.child(v)));
        drop(keys);
        let path = self.probe.child(self.variants[0]);
        seed.deserialize(Probe::new(self.probe.state, path, self.probe.within))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        de::Deserializer::deserialize_tuple(self.probe, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        de::Deserializer::deserialize_struct(self.probe, "", fields, visitor)
    }
}

/// Deserializer methods that answer every call with one fixed value.
macro_rules! answer_with {
    ($($method:ident => $visit:ident($($value:expr)?)),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
            visitor.$visit($($value)?)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = ProbeError;

    /// Asked for by types that take several shapes: sizes (an integer or a
    /// string) get an integer; internally tagged enums are recorded opaque.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        let expecting = (&visitor as &dyn Expected).to_string();
        if let Some(name) = expecting.strip_prefix("internally tagged enum ") {
            self.state
                .opaque
                .borrow_mut()
                .insert(self.path.clone(), name.to_string());
            return Err(de::Error::custom("opaque"));
        }
        visitor.visit_u64(1)
    }

    answer_with! {
        deserialize_bool => visit_bool(false),
        deserialize_i8 => visit_i64(1),
        deserialize_i16 => visit_i64(1),
        deserialize_i32 => visit_i64(1),
        deserialize_i64 => visit_i64(1),
        deserialize_u8 => visit_u64(1),
        deserialize_u16 => visit_u64(1),
        deserialize_u32 => visit_u64(1),
        deserialize_u64 => visit_u64(1),
        deserialize_f32 => visit_f64(1.0),
        deserialize_f64 => visit_f64(1.0),
        deserialize_char => visit_char('a'),
        // A string that also reads as a duration.
        deserialize_str => visit_str("1s"),
        deserialize_string => visit_str("1s"),
        deserialize_bytes => visit_bytes(b"1s"),
        deserialize_byte_buf => visit_bytes(b"1s"),
        deserialize_unit => visit_unit(),
        deserialize_ignored_any => visit_unit(),
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_some(self)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        let element = format!("{}[]", self.path);
        let path = (!self.omitted(&element)).then_some(element);
        visitor.visit_seq(OneElement {
            state: self.state,
            within: self.within,
            path,
        })
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        let value = self.child("<name>");
        let entries = if self.omitted(&value) {
            Vec::new()
        } else {
            vec![("name", value)]
        };
        visitor.visit_map(Entries::new(self.state, self.within, entries))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        let recursive = !name.is_empty() && self.within.contains(&name);
        let entries: Vec<(&'static str, String)> = if recursive {
            Vec::new()
        } else {
            let paths: Vec<_> = fields
                .iter()
                .map(|field| (*field, self.child(field)))
                .collect();
            self.state
                .keys
                .borrow_mut()
                .extend(paths.iter().map(|(_, path)| path.clone()));
            paths
                .into_iter()
                .filter(|(_, path)| !self.omitted(path))
                .collect()
        };
        let mut within = self.within;
        within.push(name);
        visitor.visit_map(Entries::new(self.state, within, entries))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_enum(FirstVariant {
            probe: self,
            variants,
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_str("")
    }
}
