fn main() {
    let net = sunshine::generate::transport_instance(7, 20_000, 500, 15);
    let t = std::time::Instant::now();
    let c = sunshine::solve::lp::min_cost(&net);
    eprintln!(
        "{} cost {:?} in {:?}",
        sunshine::solve::lp::solver_name(),
        c,
        t.elapsed()
    );
}
