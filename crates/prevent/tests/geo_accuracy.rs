//! How often the embedded country database is right, measured on addresses
//! whose country is known (`tests/data/known_allocations.csv`: national
//! operators' largest announced ranges in every region, IPv4 and IPv6, and
//! the allocations a user found misplaced by the previous database).
//!
//! The embedded database was chosen by this measurement (`data/SOURCE.md`
//! gives the figures of every candidate); a replacement must do as well.

use rampart_prevent::geo::GeoDatabase;
use std::net::IpAddr;

/// One row of the table.
struct Known {
    address: IpAddr,
    expected: String,
    operator: String,
    from_issue: bool,
}

fn known_allocations() -> Vec<Known> {
    let text = include_str!("data/known_allocations.csv");
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.starts_with("address,"))
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 5, "five fields expected in {line:?}");
            Known {
                address: fields[0].parse().expect("an address in the first field"),
                expected: fields[1].to_owned(),
                operator: fields[3].to_owned(),
                from_issue: fields[4] == "issue 13",
            }
        })
        .collect()
}

/// Right answers out of all, for the rows `keep` selects.
fn accuracy(rows: &[(&Known, Option<String>)], keep: impl Fn(&Known) -> bool) -> (usize, usize) {
    let selected: Vec<_> = rows.iter().filter(|(known, _)| keep(known)).collect();
    let right = selected
        .iter()
        .filter(|(known, got)| got.as_deref() == Some(known.expected.as_str()))
        .count();
    (right, selected.len())
}

#[test]
fn the_embedded_database_places_known_allocations_in_their_country() {
    let database = GeoDatabase::embedded().unwrap();
    let known = known_allocations();
    assert!(known.len() >= 200, "the table has {} rows", known.len());
    let answers: Vec<(&Known, Option<String>)> = known
        .iter()
        .map(|row| {
            let location = database.lookup(row.address).unwrap();
            (row, location.country.map(|c| c.to_string()))
        })
        .collect();
    for (row, got) in &answers {
        if got.as_deref() != Some(row.expected.as_str()) {
            println!(
                "miss: {} ({}) expected {}, got {:?}",
                row.address, row.operator, row.expected, got
            );
        }
    }
    let (v4, v4_total) = accuracy(&answers, |row| row.address.is_ipv4());
    let (v6, v6_total) = accuracy(&answers, |row| row.address.is_ipv6());
    println!("IPv4 {v4}/{v4_total}, IPv6 {v6}/{v6_total}");
    assert!(v4 * 100 >= v4_total * 97, "IPv4: {v4}/{v4_total} right");
    assert!(v6 * 100 >= v6_total * 95, "IPv6: {v6}/{v6_total} right");
    let (issue, issue_total) = accuracy(&answers, |row| row.from_issue);
    assert_eq!(issue, issue_total, "the allocations issue 13 named");
}
