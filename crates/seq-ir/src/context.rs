//! The MLIR side of seq-ir: a context with `func` and the IRDL-defined `seq` dialect loaded, a
//! file-named parse (so every diagnostic carries `file:line:col`), and the walk from parsed MLIR
//! into a [`Graph`]. MLIR is only read here; nothing else in seqc touches MLIR objects.

use crate::{
    attr::Attr,
    diag::{Diagnostic, Diagnostics, Loc, Severity},
    graph::{Graph, ValueId},
    ops::OpKind,
    types::Type,
    verify::verify,
};
use melior::{
    Context,
    diagnostic::DiagnosticSeverity,
    dialect::DialectHandle,
    ir::Module,
    utility::load_irdl_dialects,
};
use mlir_sys::*;
use std::{cell::RefCell, collections::BTreeMap, collections::HashMap, ffi::c_void, rc::Rc};

/// The seq dialect definition, embedded so the binary does not depend on the source tree.
pub const SEQ_IRDL: &str = include_str!("../../../dialects/seq/seq.irdl.mlir");

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("the embedded seq dialect definition failed to load: {0}")]
    Dialect(String),
}

/// An MLIR context ready to read seq programs. Not `Send`: create one per thread.
pub struct SeqContext {
    ctx: &'static Context,
    // IRDL verifiers are built from this module; keep it alive as long as the context.
    _dialect: Module<'static>,
    sink: Rc<RefCell<Vec<Diagnostic>>>,
}

fn string_ref(s: &str) -> MlirStringRef {
    MlirStringRef { data: s.as_ptr() as *const _, length: s.len() }
}

unsafe fn to_string(s: MlirStringRef) -> String {
    if s.data.is_null() {
        return String::new();
    }
    let bytes = unsafe { std::slice::from_raw_parts(s.data as *const u8, s.length) };
    String::from_utf8_lossy(bytes).into_owned()
}

unsafe extern "C" fn append(s: MlirStringRef, data: *mut c_void) {
    unsafe { (*(data as *mut String)).push_str(&to_string(s)) }
}

unsafe fn ident(id: MlirIdentifier) -> String {
    unsafe { to_string(mlirIdentifierStr(id)) }
}

unsafe fn print_type(t: MlirType) -> String {
    let mut s = String::new();
    unsafe { mlirTypePrint(t, Some(append), &mut s as *mut String as *mut c_void) };
    s
}

unsafe fn print_attr(a: MlirAttribute) -> String {
    let mut s = String::new();
    unsafe { mlirAttributePrint(a, Some(append), &mut s as *mut String as *mut c_void) };
    s
}

/// Finds the first `"file":line:col` in a printed location (name, call-site and fused
/// locations wrap file locations).
fn scan_loc(text: &str) -> Option<Loc> {
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let end = after.find('"')?;
        let file = &after[..end];
        let tail = &after[end + 1..];
        let mut nums = tail.strip_prefix(':').map(|t| t.splitn(3, |c: char| !c.is_ascii_digit()));
        if let Some(parts) = nums.as_mut() {
            let line = parts.next().and_then(|p| p.parse().ok());
            let col = parts.next().and_then(|p| p.parse().ok());
            if let (Some(line), Some(col)) = (line, col) {
                return Some(Loc { file: file.to_string(), line, col });
            }
        }
        rest = tail;
    }
    None
}

unsafe fn location(loc: MlirLocation) -> Option<Loc> {
    unsafe {
        if mlirLocationIsAFileLineColRange(loc) {
            return Some(Loc {
                file: ident(mlirLocationFileLineColRangeGetFilename(loc)),
                line: mlirLocationFileLineColRangeGetStartLine(loc).max(0) as u32,
                col: mlirLocationFileLineColRangeGetStartColumn(loc).max(0) as u32,
            });
        }
        let mut s = String::new();
        mlirLocationPrint(loc, Some(append), &mut s as *mut String as *mut c_void);
        scan_loc(&s)
    }
}

unsafe fn attribute(a: MlirAttribute) -> Attr {
    unsafe {
        if mlirAttributeIsABool(a) {
            Attr::Bool(mlirBoolAttrGetValue(a))
        } else if mlirAttributeIsAInteger(a) {
            Attr::Int(mlirIntegerAttrGetValueInt(a))
        } else if mlirAttributeIsAFloat(a) {
            Attr::Float(mlirFloatAttrGetValueDouble(a))
        } else if mlirAttributeIsAString(a) {
            Attr::Str(to_string(mlirStringAttrGetValue(a)))
        } else if mlirAttributeIsADenseI32Array(a) {
            let n = mlirDenseArrayGetNumElements(a);
            Attr::Ints { values: (0..n).map(|i| mlirDenseI32ArrayGetElement(a, i) as i64).collect(), width: 32 }
        } else if mlirAttributeIsADenseI64Array(a) {
            let n = mlirDenseArrayGetNumElements(a);
            Attr::Ints { values: (0..n).map(|i| mlirDenseI64ArrayGetElement(a, i)).collect(), width: 64 }
        } else if mlirAttributeIsADenseF64Array(a) {
            let n = mlirDenseArrayGetNumElements(a);
            Attr::Floats((0..n).map(|i| mlirDenseF64ArrayGetElement(a, i)).collect())
        } else {
            Attr::Raw(print_attr(a))
        }
    }
}

unsafe fn attributes(op: MlirOperation, skip: &[&str]) -> BTreeMap<String, Attr> {
    let mut out = BTreeMap::new();
    unsafe {
        for i in 0..mlirOperationGetNumAttributes(op) {
            let named = mlirOperationGetAttribute(op, i);
            let name = ident(named.name);
            if !skip.contains(&name.as_str()) {
                out.insert(name, attribute(named.attribute));
            }
        }
    }
    out
}

unsafe fn ops_in(block: MlirBlock) -> Vec<MlirOperation> {
    let mut out = Vec::new();
    unsafe {
        let mut op = mlirBlockGetFirstOperation(block);
        while !op.ptr.is_null() {
            out.push(op);
            op = mlirOperationGetNextInBlock(op);
        }
    }
    out
}

unsafe fn first_block(op: MlirOperation) -> Option<MlirBlock> {
    unsafe {
        if mlirOperationGetNumRegions(op) == 0 {
            return None;
        }
        let block = mlirRegionGetFirstBlock(mlirOperationGetRegion(op, 0));
        (!block.ptr.is_null()).then_some(block)
    }
}

fn convert_diagnostic(d: &melior::diagnostic::Diagnostic) -> Diagnostic {
    let severity = match d.severity() {
        DiagnosticSeverity::Error => Severity::Error,
        DiagnosticSeverity::Warning => Severity::Warning,
        DiagnosticSeverity::Note => Severity::Note,
        DiagnosticSeverity::Remark => Severity::Remark,
    };
    let mut out = Diagnostic {
        severity,
        loc: unsafe { location(d.location().to_raw()) },
        message: d.to_string(),
        notes: Vec::new(),
    };
    for i in 0..d.note_count() {
        if let Ok(note) = d.note(i) {
            let note = convert_diagnostic(&note);
            // MLIR's "see current operation" note repeats the op in generic form: noise for users.
            if !note.message.starts_with("see current operation") {
                out.notes.push(note);
            }
        }
    }
    out
}

impl SeqContext {
    pub fn new() -> Result<Self, ContextError> {
        // Leaked on purpose: the dialect module borrows the context for the process's life.
        let ctx: &'static Context = Box::leak(Box::new(Context::new()));
        DialectHandle::func().register_dialect(ctx);
        DialectHandle::func().load_dialect(ctx);
        unsafe {
            mlirDialectHandleRegisterDialect(mlirGetDialectHandle__irdl__(), ctx.to_raw());
            mlirDialectHandleLoadDialect(mlirGetDialectHandle__irdl__(), ctx.to_raw());
        }
        let sink: Rc<RefCell<Vec<Diagnostic>>> = Rc::default();
        let handler_sink = sink.clone();
        ctx.attach_diagnostic_handler(move |d| {
            handler_sink.borrow_mut().push(convert_diagnostic(&d));
            true
        });
        let dialect = Module::parse(ctx, SEQ_IRDL).ok_or_else(|| {
            ContextError::Dialect(sink.borrow().iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))
        })?;
        if !load_irdl_dialects(&dialect) {
            return Err(ContextError::Dialect("mlirLoadIRDLDialects failed".into()));
        }
        sink.borrow_mut().clear();
        Ok(Self { ctx, _dialect: dialect, sink })
    }

    /// Parses `source` as MLIR, naming it `file` in locations, and reads the seq program.
    /// Returns MLIR's own diagnostics (syntax, IRDL) or seqc's structural ones; does not run
    /// the shape verifier (see [`SeqContext::load`]).
    pub fn parse(&self, source: &str, file: &str) -> Result<Graph, Diagnostics> {
        self.sink.borrow_mut().clear();
        let fail = |items: Vec<Diagnostic>| Diagnostics { file: file.into(), source: source.into(), items };
        let op = unsafe { mlirOperationCreateParse(self.ctx.to_raw(), string_ref(source), string_ref(file)) };
        if op.ptr.is_null() {
            let mut items: Vec<Diagnostic> =
                std::mem::take(&mut *self.sink.borrow_mut()).into_iter().map(|d| polish(d, source)).collect();
            if source.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with("//")) {
                items = vec![Diagnostic::error(
                    Some(Loc { file: file.into(), line: 0, col: 0 }),
                    "the file holds no program: expected a func.func (or a module holding one) built from seq ops",
                )];
            }
            if items.is_empty() {
                items.push(Diagnostic::error(None, format!("{file}: could not be parsed as MLIR")));
            }
            return Err(fail(items));
        }
        let result = unsafe { read_program(op) };
        unsafe { mlirOperationDestroy(op) };
        result.map_err(|d| fail(vec![d]))
    }

    /// Parses and verifies: the entry point for reading a user's file.
    pub fn load(&self, source: &str, file: &str) -> Result<Graph, Diagnostics> {
        let g = self.parse(source, file)?;
        let items = verify(&g);
        if items.is_empty() {
            Ok(g)
        } else {
            Err(Diagnostics { file: file.into(), source: source.into(), items })
        }
    }
}

/// The generic-form op name on a diagnostic's line (`%y = "seq.linear"(...)` → `seq.linear`).
/// MLIR points at the name for verifier errors but at the `(` for parse errors.
fn op_name_at(loc: &Loc, source: &str) -> Option<String> {
    let line = source.lines().nth(loc.line.checked_sub(1)? as usize)?;
    let name = line.split('"').nth(1)?;
    (name.contains('.') && !name.contains(' ')).then(|| name.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Rewrites MLIR's tool-oriented messages into ones that make sense to a seqc user.
fn polish(mut d: Diagnostic, source: &str) -> Diagnostic {
    let name = d.loc.as_ref().and_then(|l| op_name_at(l, source));
    if let Some(name) = name {
        if d.message.starts_with("op ") {
            // MLIR's generic op verifier leaves the op's name out.
            d.message = format!("'{name}' {}", d.message);
        } else if d.message.starts_with("operation being parsed with an unregistered dialect") {
            d.message = format!("'{name}' is not a seq op: model bodies are built from the seq dialect (see dialects/seq/README.md)");
        } else if d.message.starts_with("unregistered operation") {
            d.message = format!("'{name}' is not an op of the seq dialect");
            let short = name.trim_start_matches("seq.");
            if let Some(best) = OpKind::ALL.iter().min_by_key(|k| edit_distance(short, k.short_name()))
                && edit_distance(short, best.short_name()) <= 3
            {
                d = d.with_note(None, format!("did you mean '{}'?", best.name()));
            }
        }
    }
    d
}

unsafe fn read_program(top: MlirOperation) -> Result<Graph, Diagnostic> {
    unsafe {
        let top_name = ident(mlirOperationGetName(top));
        let top_loc = location(mlirOperationGetLocation(top));
        let (module_attrs, funcs) = if top_name == "builtin.module" {
            let body = first_block(top).map(|b| ops_in(b)).unwrap_or_default();
            (attributes(top, &["sym_name"]), body)
        } else {
            (BTreeMap::new(), vec![top])
        };
        let mut funcs = funcs.into_iter().filter(|f| ident(mlirOperationGetName(*f)) == "func.func");
        let func = funcs.next().ok_or_else(|| {
            Diagnostic::error(top_loc.clone(), "expected a func.func holding the model: seq programs are one function")
        })?;
        if let Some(extra) = funcs.next() {
            return Err(Diagnostic::error(
                location(mlirOperationGetLocation(extra)),
                "seq programs hold exactly one func.func; found another here",
            ));
        }
        read_func(func, module_attrs)
    }
}

unsafe fn read_func(func: MlirOperation, module_attrs: BTreeMap<String, Attr>) -> Result<Graph, Diagnostic> {
    unsafe {
        let func_loc = location(mlirOperationGetLocation(func));
        let name = to_string(mlirStringAttrGetValue(mlirOperationGetAttributeByName(func, string_ref("sym_name"))));
        let mut g = Graph::new(name);
        g.module_attrs = module_attrs;
        g.loc = func_loc.clone();
        let block = first_block(func)
            .ok_or_else(|| Diagnostic::error(func_loc.clone(), "the function has no body: declarations cannot be compiled"))?;
        let mut values: HashMap<usize, ValueId> = HashMap::new();
        let key = |v: MlirValue| v.ptr as usize;
        let ty = |t: MlirType, loc: &Option<Loc>| -> Result<Type, Diagnostic> {
            let text = print_type(t);
            Type::parse(&text).map_err(|e| Diagnostic::error(loc.clone(), e.to_string()))
        };
        for i in 0..mlirBlockGetNumArguments(block) {
            let arg = mlirBlockGetArgument(block, i);
            let arg_loc = location(mlirValueGetLocation(arg)).or_else(|| func_loc.clone());
            let id = g.add_arg(ty(mlirValueGetType(arg), &arg_loc)?);
            values.insert(key(arg), id);
        }
        for op in ops_in(block) {
            let op_name = ident(mlirOperationGetName(op));
            let loc = location(mlirOperationGetLocation(op));
            let mut operands = Vec::new();
            for i in 0..mlirOperationGetNumOperands(op) {
                let v = mlirOperationGetOperand(op, i);
                // Values are defined before use in a single block, so the lookup always succeeds.
                operands.extend(values.get(&key(v)).copied());
            }
            if op_name == "func.return" {
                g.results = operands;
                continue;
            }
            let kind = OpKind::from_name(&op_name).ok_or_else(|| {
                Diagnostic::error(
                    loc.clone(),
                    format!("'{op_name}' is not a seq op: model bodies are built from the seq dialect (see dialects/seq/README.md)"),
                )
            })?;
            if mlirOperationGetNumRegions(op) != 0 {
                return Err(Diagnostic::error(loc, format!("'{op_name}' must not have regions")));
            }
            let mut types = Vec::new();
            for i in 0..mlirOperationGetNumResults(op) {
                types.push(ty(mlirValueGetType(mlirOperationGetResult(op, i)), &loc)?);
            }
            let attrs = attributes(op, &[]);
            let id = g.push_op(kind, operands, types, attrs, loc);
            for i in 0..mlirOperationGetNumResults(op) {
                values.insert(key(mlirOperationGetResult(op, i)), g.op(id).results[i as usize]);
            }
        }
        Ok(g)
    }
}
