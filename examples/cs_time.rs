fn main() {
    let net = sunshine::generate::transport_instance(7, 20_000, 500, 15);
    let t = std::time::Instant::now();
    let s = sunshine::solve::cost_scaling::solve(&net);
    let cost = match s {
        sunshine::solve::mcf::Solution::Optimal(f) => f.cost,
        _ => -1,
    };
    eprintln!(
        "cost scaling: arcs {} cost {} in {:?}",
        net.arc_count(),
        cost,
        t.elapsed()
    );
}
