use std::time::Instant;
use burn::prelude::*;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::Distribution;

fn time(name: &str, mut f: impl FnMut()) {
    f();
    let mut t: Vec<f64> = (0..10).map(|_| { let s = Instant::now(); f(); s.elapsed().as_secs_f64() * 1e3 }).collect();
    t.sort_by(f64::total_cmp);
    println!("{name}: {:.2} ms", t[5]);
}

fn main() {
    let d = Device::flex();
    let cases: &[(&str, usize, usize, usize, usize, usize, usize)] = &[
        // name, cin, cout, hw, k, stride, groups
        ("up4.first 3x3 123->48 @32", 123, 48, 32, 3, 1, 1),
        ("up8.first 3x3 171->96 @16", 171, 96, 16, 3, 1, 1),
        ("head 1x1 48->307 @32", 48, 307, 32, 1, 1, 1),
        ("expand 1x1 24->144 @32", 24, 144, 32, 1, 1, 1),
        ("dw 3x3 96 s2 @64", 96, 96, 64, 3, 2, 96),
        ("dw 3x3 144 @32", 144, 144, 32, 3, 1, 144),
        ("dw 5x5 480 @8", 480, 480, 8, 5, 1, 480),
        ("dw 5x5 672 @8", 672, 672, 8, 5, 1, 672),
        ("stem 3x3 3->32 s2 @128", 3, 32, 128, 3, 2, 1),
        ("dw 3x3 32 @64", 32, 32, 64, 3, 1, 32),
    ];
    for &(name, cin, cout, hw, k, s, g) in cases {
        let x = Tensor::<4>::random([1, cin, hw, hw], Distribution::Default, &d);
        let w = Tensor::<4>::random([cout, cin / g, k, k], Distribution::Default, &d);
        let b = Tensor::<1>::random([cout], Distribution::Default, &d);
        let opts = ConvOptions::new([s, s], [k / 2, k / 2], [1, 1], g);
        time(name, || { let _ = conv2d(x.clone(), w.clone(), Some(b.clone()), opts.clone()).into_data(); });
    }
}
