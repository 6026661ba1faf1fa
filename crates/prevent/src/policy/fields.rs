//! Reading one field of a rule's variables straight from the request facts,
//! for the CEL bindings and for the guards that skip the interpreter.

use crate::facts::{RequestFacts, Signal};
use rampart_core::Combined;

/// The signals as one verdict: their score and how sure they are together.
pub(crate) fn combined(signals: &[Signal]) -> Combined {
    Combined::of(signals.iter().map(|s| (s.score, s.confidence)))
}
use std::borrow::Cow;

/// Every field rules can read (see `schema` for their names and types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fact {
    RequestId,
    Method,
    Host,
    Path,
    Route,
    ClientIp,
    Country,
    Asn,
    ApiKey,
    User,
    Fingerprint,
    Ja4,
    Credentials,
    BotName,
    BotClass,
    BotOperator,
    BotVerification,
    BotVerified,
    Template,
    Function,
    Risk,
    Score,
    Confidence,
    SignalCount,
    Classes,
    Sources,
}

/// A field's value. Absent facts read as `""` and 0.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FactValue<'a> {
    Text(Cow<'a, str>),
    Int(i64),
    Double(f64),
    Texts(Vec<&'a str>),
    Bool(bool),
}

impl Fact {
    pub(crate) fn read<'a>(self, facts: &'a RequestFacts, signals: &'a [Signal]) -> FactValue<'a> {
        let text = |value: &'a str| FactValue::Text(Cow::Borrowed(value));
        let optional = |value: &'a Option<String>| text(value.as_deref().unwrap_or(""));
        let client = &facts.client;
        let bot = |field: fn(&'a crate::facts::BotFacts) -> &'a str| {
            text(client.bot.as_ref().map_or("", field))
        };
        match self {
            Fact::RequestId => text(&facts.request_id),
            Fact::Method => text(&facts.method),
            Fact::Host => text(&facts.host),
            Fact::Path => text(&facts.path),
            Fact::Route => text(&facts.route),
            Fact::ClientIp => FactValue::Text(Cow::Owned(client.ip.to_string())),
            Fact::Country => optional(&client.country),
            Fact::Asn => FactValue::Int(client.asn.map_or(0, i64::from)),
            Fact::ApiKey => optional(&client.api_key),
            Fact::User => optional(&client.user),
            Fact::Fingerprint => optional(&client.fingerprint),
            Fact::Ja4 => optional(&client.ja4),
            Fact::Credentials => FactValue::Texts(client.credentials.clone()),
            Fact::BotName => bot(|b| &b.name),
            Fact::BotClass => bot(|b| &b.class),
            Fact::BotOperator => bot(|b| &b.operator),
            Fact::BotVerification => bot(|b| &b.verification),
            Fact::BotVerified => FactValue::Bool(
                client
                    .bot
                    .as_ref()
                    .is_some_and(|b| b.verification == "verified"),
            ),
            Fact::Template => optional(&facts.endpoint.template),
            Fact::Function => optional(&facts.endpoint.function),
            Fact::Risk => FactValue::Double(facts.endpoint.risk),
            Fact::Score => FactValue::Double(combined(signals).score),
            Fact::Confidence => FactValue::Double(combined(signals).confidence),
            Fact::SignalCount => FactValue::Int(signals.len().try_into().unwrap_or(i64::MAX)),
            Fact::Classes => FactValue::Texts(signals.iter().map(|s| s.class.as_str()).collect()),
            Fact::Sources => FactValue::Texts(signals.iter().map(|s| s.source.as_str()).collect()),
        }
    }
}
