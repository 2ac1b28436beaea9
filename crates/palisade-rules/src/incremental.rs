//! Incremental evaluation: the engine and the cross-object model kept alive, fed one object
//! at a time (`apply` to add or replace, `remove`), answering with the findings each change
//! opened and resolved — its own, and its dependents' (a Namespace's labels change its pods'
//! network verdicts; a ClusterRole change re-judges the bindings that reference it).
//!
//! Each change re-runs the object's own rules, and the cross-object rules only on the scopes
//! the model says the change touched, so its cost follows what it touches, not the cluster.
//! A new policy file or rule selection ([`Incremental::set_engine`]) re-judges everything.
//! The findings held after any sequence of changes are those a full scan of the final
//! objects gives (a property test checks it).

use crate::check::Scope;
use crate::engine::{Engine, RootOutcome};
use palisade_analysis::model::{Key, Model};
use palisade_core::{Finding, Node, Object, ObjectRef, Suppression};
use std::collections::HashMap;
use std::sync::Arc;

/// What a change did to the open findings.
#[derive(Debug, Default)]
pub struct Delta {
    pub opened: Vec<Finding>,
    pub resolved: Vec<Finding>,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.opened.is_empty() && self.resolved.is_empty()
    }
}

/// What identifies a finding across evaluations.
pub type FindingId = (&'static str, Arc<ObjectRef>, String, String);

/// A finding's identity: rule, object, field path and message.
pub fn finding_id(f: &Finding) -> FindingId {
    (f.rule.id, f.object.clone(), f.path.clone(), f.message.clone())
}

/// Findings and suppressed findings of one evaluation unit (an object, or a scope).
#[derive(Debug, Default)]
struct Held {
    findings: Vec<Finding>,
    suppressed: Vec<(Finding, Arc<Suppression>)>,
}

impl Held {
    fn of(outcome: RootOutcome) -> Held {
        Held { findings: outcome.findings, suppressed: outcome.suppressed }
    }
}

/// Which cross-object evaluation a set of findings came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Unit {
    /// A namespace (`None`: cluster-scoped objects), with the rules that look into other
    /// namespaces (`true`) or those that do not.
    Scope(Option<String>, bool),
    Policy,
}

/// The engine, the model, and the findings they hold.
pub struct Incremental {
    engine: Engine,
    model: Model,
    objects: HashMap<Key, Held>,
    units: HashMap<Unit, Held>,
    /// Findings suppressed by each policy waiver, now.
    waiver_uses: Vec<usize>,
}

impl Incremental {
    pub fn new(engine: Engine) -> Incremental {
        let waivers = engine.policy().waivers.len();
        let mut this = Incremental { engine, model: Model::default(), objects: HashMap::new(), units: HashMap::new(), waiver_uses: vec![0; waivers] };
        let mut delta = Delta::default();
        this.reevaluate_policy(&mut delta);
        this
    }

    /// Starts from many objects at once (an initial list): each is evaluated and loaded,
    /// then every scope is judged once. Returns the objects that could not be read.
    pub fn with_objects<'a>(engine: Engine, nodes: impl IntoIterator<Item = &'a Node>) -> (Incremental, Vec<String>) {
        Incremental::load(engine, true, nodes)
    }

    /// [`Incremental::with_objects`], saying whether bindings to Kubernetes' default roles
    /// that the objects do not define grant what the shipped definitions grant (`true`) or
    /// nothing (`palisade cluster --no-builtin-roles`).
    pub fn load<'a>(engine: Engine, builtin_roles: bool, nodes: impl IntoIterator<Item = &'a Node>) -> (Incremental, Vec<String>) {
        let mut this = Incremental::new(engine);
        this.model.set_builtin_roles(builtin_roles);
        let errors = nodes.into_iter().filter_map(|node| this.gather(node).err()).collect();
        this.settle();
        (this, errors)
    }

    /// Evaluates an object's own rules and loads its facts, leaving the cross-object rules
    /// to [`Incremental::settle`]: an initial list goes in object by object, never held whole.
    pub fn gather(&mut self, node: &Node) -> Result<(), String> {
        let (key, held, facts) = self.evaluate(node)?;
        self.replace_own(&key, Some(held), &mut Delta::default());
        self.model.load(key, facts);
        Ok(())
    }

    /// Judges every scope once, after [`Incremental::gather`]; what changed in the scopes'
    /// findings (the objects' own findings gathered are not in it: see [`Incremental::findings`]).
    pub fn settle(&mut self) -> Delta {
        let mut delta = Delta::default();
        let all = self.model.scopes();
        self.reevaluate(all, &mut delta);
        delta
    }

    /// Evaluates one live object's own rules and reads its facts.
    fn evaluate(&self, node: &Node) -> Result<(Key, Held, palisade_analysis::model::ObjectFacts), String> {
        let object = Object::from_node(node)?;
        if object.is_list() {
            return Err(format!("{}: a list is not one object; apply its items", object.kind));
        }
        let mut outcome = self.engine.evaluate_live(node);
        // The engine's key: the object placed in its namespace as the engine placed it.
        let (key, facts) = outcome.facts.pop().ok_or("not an object")?;
        Ok((key, Held::of(outcome), facts))
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Adds the object, or replaces the object of the same reference.
    pub fn apply(&mut self, node: &Node) -> Result<Delta, String> {
        let (key, new, facts) = self.evaluate(node)?;
        let mut delta = Delta::default();
        self.replace_own(&key, Some(new), &mut delta);
        let dirty = self.model.apply(key, facts);
        self.reevaluate(dirty, &mut delta);
        Ok(delta)
    }

    /// Removes the object (a no-op when it is not there); without a namespace, a namespaced
    /// object is looked for where `apply` put it.
    pub fn remove(&mut self, object: &ObjectRef) -> Delta {
        let key = Key::live(object.clone().in_namespace(self.engine.namespace()));
        let mut delta = Delta::default();
        if !self.objects.contains_key(&key) {
            return delta;
        }
        self.replace_own(&key, None, &mut delta);
        let dirty = self.model.remove(&key);
        self.reevaluate(dirty, &mut delta);
        delta
    }

    /// Replaces the engine — a changed policy file (waivers, severities, settings) or other
    /// rules — and judges everything again. The raw objects are not kept (memory stays
    /// bounded), so the caller passes the objects present now (its watch cache, or a relist);
    /// the delta is what the new judgement opened and resolved. Returns the objects that
    /// could not be read.
    pub fn set_engine<'a>(&mut self, engine: Engine, nodes: impl IntoIterator<Item = &'a Node>) -> (Delta, Vec<String>) {
        let (next, errors) = Incremental::load(engine, self.model.builtin_roles(), nodes);
        let all = |i: &Incremental| Held { findings: i.findings().cloned().collect(), suppressed: Vec::new() };
        let mut delta = Delta::default();
        self.diff(Some(&all(self)), Some(&all(&next)), &mut delta);
        *self = next;
        (delta, errors)
    }

    /// Every open finding, in no particular order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.objects.values().chain(self.units.values()).flat_map(|h| &h.findings)
    }

    /// Every suppressed finding, with its waiver.
    pub fn suppressed(&self) -> impl Iterator<Item = &(Finding, Arc<Suppression>)> {
        self.objects.values().chain(self.units.values()).flat_map(|h| &h.suppressed)
    }

    /// Replaces the findings of an object's own rules (`None`: it is gone), recording the change.
    fn replace_own(&mut self, key: &Key, new: Option<Held>, delta: &mut Delta) {
        let old = self.objects.remove(key);
        self.account(old.as_ref(), new.as_ref(), delta);
        if let Some(new) = new {
            self.objects.insert(key.clone(), new);
        }
    }

    /// Records the change from `old` to `new` of one unit: opened and resolved findings, and
    /// the waivers' use counts.
    fn account(&mut self, old: Option<&Held>, new: Option<&Held>, delta: &mut Delta) {
        self.diff(old, new, delta);
        for (held, step) in [(old, usize::wrapping_neg(1)), (new, 1)] {
            for (_, s) in held.iter().flat_map(|h| &h.suppressed) {
                if let Some(i) = self.engine.waiver_index(s) {
                    self.waiver_uses[i] = self.waiver_uses[i].wrapping_add(step);
                }
            }
        }
    }

    /// The findings `new` opens and those of `old` it resolves.
    fn diff(&self, old: Option<&Held>, new: Option<&Held>, delta: &mut Delta) {
        let mut count: HashMap<FindingId, isize> = HashMap::new();
        for f in old.iter().flat_map(|h| &h.findings) {
            *count.entry(finding_id(f)).or_default() -= 1;
        }
        for f in new.iter().flat_map(|h| &h.findings) {
            *count.entry(finding_id(f)).or_default() += 1;
        }
        for f in old.iter().flat_map(|h| &h.findings) {
            if let Some(n) = count.get_mut(&finding_id(f)).filter(|n| **n < 0) {
                *n += 1;
                delta.resolved.push(f.clone());
            }
        }
        for f in new.iter().flat_map(|h| &h.findings) {
            if let Some(n) = count.get_mut(&finding_id(f)).filter(|n| **n > 0) {
                *n -= 1;
                delta.opened.push(f.clone());
            }
        }
    }

    /// Re-runs the cross-object rules on what the change touched, then the policy rules.
    fn reevaluate(&mut self, dirty: palisade_analysis::model::Dirty, delta: &mut Delta) {
        let mut units: Vec<Unit> = dirty.scopes.iter().map(|s| Unit::Scope(s.clone(), false)).collect();
        units.extend(dirty.scopes.iter().filter(|s| s.as_ref().is_none_or(|ns| !dirty.crossing.contains(ns))).map(|s| Unit::Scope(s.clone(), true)));
        units.extend(dirty.crossing.iter().map(|ns| Unit::Scope(Some(ns.clone()), true)));
        for unit in units {
            let Unit::Scope(scope, crossing) = &unit else { continue };
            let mut outcome = RootOutcome::default();
            self.engine.check_scope(&self.model, Scope::of(scope.as_deref()), Some(*crossing), &mut outcome);
            let held = Held::of(outcome);
            let old = self.units.remove(&unit);
            self.account(old.as_ref(), Some(&held), delta);
            if !held.findings.is_empty() || !held.suppressed.is_empty() {
                self.units.insert(unit, held);
            }
        }
        self.reevaluate_policy(delta);
    }

    /// The policy rules judge the waivers by how many findings each suppresses now (what
    /// they report themselves is judged after them, as in a full scan).
    fn reevaluate_policy(&mut self, delta: &mut Delta) {
        for (w, n) in self.engine.policy().waivers.iter().zip(&self.waiver_uses) {
            w.set_uses(*n);
        }
        let mut outcome = RootOutcome::default();
        self.engine.check_scope(&self.model, Scope::Policy, None, &mut outcome);
        let held = Held::of(outcome);
        let old = self.units.remove(&Unit::Policy);
        self.diff(old.as_ref(), Some(&held), delta);
        self.units.insert(Unit::Policy, held);
    }
}
