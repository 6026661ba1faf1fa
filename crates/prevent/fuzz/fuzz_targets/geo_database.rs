//! A user's GeoIP2/GeoLite2 file is read as given: any bytes either load or
//! are refused with an error, and lookups in what loads never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_prevent::geo::GeoDatabase;
use std::borrow::Cow;
use std::net::IpAddr;

fuzz_target!(|data: &[u8]| {
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
