//! A user's GeoIP2/GeoLite2 file is read as given: any bytes either load or
//! are refused with an error, and lookups in what loads never fail other
//! than with an error. The `maxminddb` reader panics on some corrupt files;
//! `GeoDatabase` contains those panics (`catch_unwind`) and turns them into
//! errors, so the default hook, which would abort before the unwind reaches
//! it, is silenced. A panic that escapes still fails the run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_prevent::geo::GeoDatabase;
use std::borrow::Cow;
use std::net::IpAddr;

fuzz_target!(init: { std::panic::set_hook(Box::new(|_| {})) }, |data: &[u8]| {
    let Ok(database) = GeoDatabase::from_bytes(Cow::Owned(data.to_vec()), "fuzz", "geo.database")
    else {
        return;
    };
    let _ = database.database_type();
    for ip in ["1.1.1.1", "10.0.0.1", "::1", "2001:db8::1", "::ffff:8.8.8.8"] {
        let ip: IpAddr = ip.parse().expect("a literal address");
        let _ = database.lookup(ip);
    }
});
