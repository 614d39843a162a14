//! `seq-fill-stalls` on the Llama-3-8B training step over two nodes (16 ranks, Ulysses across
//! nodes is where waits stall): the predicted step gets shorter, what moved is work off the
//! critical path, and the program still verifies.

use seq_ir::{OpKind, SeqContext, verify::verify};
use seq_passes::{
    Pass,
    config::Config,
    registry,
    schedule::fill_stalls::{FillStalls, filled},
    simulate::{context_of, sequence_of, simulate},
    strategy::cost_model::{Profile, Target},
};

#[test]
fn stalls_fill_with_weight_gradients() {
    let ctx = SeqContext::new().expect("context");
    let path = super::root().join("examples/llama3-8b.mlir");
    let text = std::fs::read_to_string(&path).expect("example");
    let mut g = ctx
        .load(&text, "examples/llama3-8b.mlir")
        .unwrap_or_else(|d| panic!("{}", d.render()));
    let mut config = Config::new(Target::new(16, Profile::h200()));
    config.train = true;
    for pass in registry::all(&config)
        .into_iter()
        .take_while(|p| p.name() != "seq-fill-stalls")
    {
        pass.run(&mut g)
            .unwrap_or_else(|e| panic!("{}: {e}", pass.name()));
    }
    let before = g.clone();
    FillStalls {
        target: config.target.clone(),
    }
    .run(&mut g)
    .expect("fills");
    assert!(verify(&g).is_empty(), "{:?}", verify(&g));

    let time = |g: &seq_ir::Graph| {
        simulate(
            g,
            &config.target,
            &context_of(g, &config.target, sequence_of(g)),
        )
    };
    let (was, now) = (time(&before), time(&g));
    assert!(
        now.makespan < 0.95 * was.makespan,
        "predicted step {:.1} -> {:.1} ms",
        was.makespan * 1e3,
        now.makespan * 1e3
    );
    assert!(
        now.exposed_comm() < 0.5 * was.exposed_comm(),
        "exposed {:.1} -> {:.1} ms",
        was.exposed_comm() * 1e3,
        now.exposed_comm() * 1e3
    );
    let f = filled(&g).expect("recorded");
    assert!(
        (f.saved_ms - (was.makespan - now.makespan) * 1e3).abs() < 1e-2,
        "{f:?}"
    );

    // The same ops, reordered; each op that entered a wait's window (between its transfer's
    // start and the wait) is one the transfer does not depend on: work off its critical path.
    let mut a = before.body.clone();
    let mut b = g.body.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same ops");
    let windows =
        |g: &seq_ir::Graph| -> Vec<(seq_ir::OpId, std::collections::BTreeSet<seq_ir::OpId>)> {
            let mut out = Vec::new();
            for (w, &id) in g.body.iter().enumerate() {
                let op = g.op(id);
                let seq_ir::Def::Op(s, _) =
                    g.def(op.operands.first().copied().unwrap_or(seq_ir::ValueId(0)))
                else {
                    continue;
                };
                if op.kind != OpKind::AsyncWait {
                    continue;
                }
                let s = g.body.iter().position(|x| *x == s).expect("start in body");
                out.push((id, g.body[s + 1..w].iter().copied().collect()));
            }
            out
        };
    let old: std::collections::BTreeMap<_, _> = windows(&before).into_iter().collect();
    let mut entered = 0;
    for (wait, inside) in windows(&g) {
        // Everything the wait's transfer reads, transitively.
        let mut needed = std::collections::BTreeSet::new();
        let mut stack = vec![wait];
        while let Some(id) = stack.pop() {
            for &o in &g.op(id).operands {
                if let seq_ir::Def::Op(p, _) = g.def(o)
                    && needed.insert(p)
                {
                    stack.push(p);
                }
            }
        }
        for id in inside.difference(&old[&wait]) {
            assert!(
                !needed.contains(id),
                "{:?} moved under a wait that needs it",
                g.op(*id).kind
            );
            entered += 1;
        }
    }
    assert!(entered > 0, "nothing moved into a wait's window");
}
