//! Masking a 64 KiB JSON response with a few cards, SSNs and tokens in it.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rampart_prevent::mask::{mask_in_place, BodyKind, StreamMasker};

fn body() -> Vec<u8> {
    let mut body = String::from("[");
    let mut n = 0;
    while body.len() < 64 * 1024 {
        let card = if n % 50 == 0 {
            "4111111111111111"
        } else {
            "order-20240101-0042"
        };
        body.push_str(&format!(
            r#"{{"id":{n},"name":"customer {n}","ref":"{card}","ssn":"{}","phone":"+1 555 0100 {n:04}"}},"#,
            if n % 70 == 0 { "123-45-6789" } else { "n/a" }
        ));
        n += 1;
    }
    body.push_str("{}]");
    body.into_bytes()
}

fn bench_mask(c: &mut Criterion) {
    let body = body();
    let mut group = c.benchmark_group("mask");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("json_64k_in_place", |b| {
        b.iter(|| {
            let mut copy = body.clone();
            mask_in_place(black_box(&mut copy), BodyKind::Json)
        })
    });
    group.bench_function("json_64k_stream_8k_chunks", |b| {
        b.iter(|| {
            let mut stream = StreamMasker::new(BodyKind::Json);
            let mut sent = 0;
            for chunk in body.chunks(8 * 1024) {
                sent += stream.push(black_box(chunk)).len();
            }
            sent + stream.finish().0.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_mask);
criterion_main!(benches);
