//! What crosses between the feature storage and either database: parameters
//! ([`Value`]), result rows read by column name ([`Row`]), and the conversions both ways.

use std::sync::Arc;

use super::DbError;

/// A query parameter. Integers are 64-bit on both databases; booleans are `0`/`1` on
/// SQLite and `BOOLEAN` on PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
    Bool(bool),
    /// Byte strings as one `BYTEA[]` (PostgreSQL only: `unnest(?1::bytea[])`).
    Blobs(&'a [Vec<u8>]),
    /// Strings as one `TEXT[]` (PostgreSQL only).
    Texts(&'a [String]),
}

/// Anything that can be a query parameter; see [`args!`](crate::args).
pub trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

macro_rules! int_values {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_values!(i64, i32, u32, u16, u8);

impl ToValue for usize {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl ToValue for [Vec<u8>] {
    fn to_value(&self) -> Value<'_> {
        Value::Blobs(self)
    }
}

impl ToValue for [String] {
    fn to_value(&self) -> Value<'_> {
        Value::Texts(self)
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl<const N: usize> ToValue for [u8; N] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// Query parameters, in the order of `?1`, `?2`, …: `args![shop_id, number]`.
#[macro_export]
macro_rules! args {
    () => { &[] as &[$crate::db::Value<'_>] };
    ($($arg:expr),+ $(,)?) => {
        &[$($crate::db::ToValue::to_value(&$arg)),+] as &[$crate::db::Value<'_>]
    };
}

/// A statement's column names, shared by all its rows.
pub type Columns = Arc<[Box<str>]>;

/// The column names of a statement, made once per process: the same SQL always has the
/// same columns, and every row of every run of it shares them.
pub fn columns_of(sql: &str, names: impl FnOnce() -> Vec<String>) -> Columns {
    use std::collections::HashMap;
    use std::sync::{LazyLock, RwLock};
    static CACHE: LazyLock<RwLock<HashMap<Box<str>, Columns>>> = LazyLock::new(Default::default);
    if let Some(columns) = CACHE.read().unwrap_or_else(|e| e.into_inner()).get(sql) {
        return columns.clone();
    }
    let columns: Columns = names().into_iter().map(String::into_boxed_str).collect();
    CACHE
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(sql.into(), columns.clone());
    columns
}

/// One value of a result row, owned.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Bool(bool),
}

/// A result row, its columns read by name. Text and bytes move out when read, so each
/// such column is read once.
#[derive(Debug)]
pub struct Row {
    columns: Columns,
    cells: Vec<Cell>,
    /// Where the next column read is looked for first: columns are mostly read in order.
    next: usize,
}

impl Row {
    pub(crate) fn new(columns: Columns, cells: Vec<Cell>) -> Row {
        Row {
            columns,
            cells,
            next: 0,
        }
    }

    /// Every value, in the query's column order, moved out.
    pub fn take_cells(&mut self) -> Vec<Cell> {
        std::mem::take(&mut self.cells)
    }

    /// The query's column names.
    pub fn columns(&self) -> &[Box<str>] {
        &self.columns
    }

    /// The value of column `name`, converted to `T`.
    pub fn get<T: FromCell>(&mut self, name: &str) -> Result<T, DbError> {
        let index = match self.columns.get(self.next) {
            Some(column) if &**column == name => self.next,
            _ => self
                .columns
                .iter()
                .position(|c| &**c == name)
                .ok_or_else(|| DbError::other(format!("the query has no column `{name}`")))?,
        };
        self.next = index + 1;
        let cell = match &mut self.cells[index] {
            cell @ (Cell::Text(_) | Cell::Blob(_)) => std::mem::replace(cell, Cell::Null),
            cell => cell.clone(),
        };
        T::from_cell(cell)
            .map_err(|expected| DbError::other(format!("column `{name}` is not {expected}")))
    }
}

/// A Rust value read from a [`Cell`]; the error names what was expected.
pub trait FromCell: Sized {
    fn from_cell(cell: Cell) -> Result<Self, &'static str>;
}

impl FromCell for i64 {
    fn from_cell(cell: Cell) -> Result<Self, &'static str> {
        match cell {
            Cell::Int(i) => Ok(i),
            Cell::Bool(b) => Ok(i64::from(b)),
            _ => Err("an integer"),
        }
    }
}

macro_rules! narrow_ints {
    ($($t:ty),*) => {$(
        impl FromCell for $t {
            fn from_cell(cell: Cell) -> Result<Self, &'static str> {
                i64::from_cell(cell)
                    .and_then(|i| <$t>::try_from(i).map_err(|_| concat!("in range of ", stringify!($t))))
            }
        }
    )*};
}
narrow_ints!(i32, u32, u16, u8, usize);

impl FromCell for f64 {
    fn from_cell(cell: Cell) -> Result<Self, &'static str> {
        match cell {
            Cell::Real(r) => Ok(r),
            Cell::Int(i) => Ok(i as f64),
            _ => Err("a number"),
        }
    }
}

impl FromCell for bool {
    fn from_cell(cell: Cell) -> Result<Self, &'static str> {
        match cell {
            Cell::Bool(b) => Ok(b),
            Cell::Int(i) => Ok(i != 0),
            _ => Err("a boolean"),
        }
    }
}

impl FromCell for String {
    fn from_cell(cell: Cell) -> Result<Self, &'static str> {
        match cell {
            Cell::Text(s) => Ok(s),
            _ => Err("text"),
        }
    }
}

impl FromCell for Vec<u8> {
    fn from_cell(cell: Cell) -> Result<Self, &'static str> {
        match cell {
            Cell::Blob(b) => Ok(b),
            Cell::Text(s) => Ok(s.into_bytes()),
            _ => Err("bytes"),
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: Cell) -> Result<Self, &'static str> {
        match cell {
            Cell::Null => Ok(None),
            cell => T::from_cell(cell).map(Some),
        }
    }
}

/// The SQL as PostgreSQL wants it: `?1` placeholders become `$1`. Literals and quoted
/// names are left alone.
pub fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '?') => {
                out.push('$');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_rewritten_outside_literals_only() {
        assert_eq!(
            dollar_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND \"d?\" = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND \"d?\" = $12"
        );
        assert_eq!(dollar_placeholders("x = 'it''s ?'"), "x = 'it''s ?'");
    }

    #[test]
    fn rows_are_read_by_name_and_checked() {
        let columns: Arc<[Box<str>]> = ["id", "name", "on", "gone"]
            .into_iter()
            .map(Box::from)
            .collect();
        let mut row = Row::new(
            columns,
            vec![
                Cell::Int(7),
                Cell::Text("Jane".into()),
                Cell::Int(1),
                Cell::Null,
            ],
        );
        assert_eq!(row.get::<u32>("id").unwrap(), 7);
        assert!(row.get::<bool>("on").unwrap());
        assert_eq!(row.get::<Option<String>>("gone").unwrap(), None);
        assert_eq!(row.get::<String>("name").unwrap(), "Jane");
        assert!(row
            .get::<i64>("nope")
            .unwrap_err()
            .to_string()
            .contains("nope"));
        let mut row = Row::new(Arc::from(vec![Box::from("n")]), vec![Cell::Int(-1)]);
        assert!(row.get::<u32>("n").is_err());
    }

    #[test]
    fn parameters_take_options_and_references() {
        let name = String::from("x");
        let none: Option<&str> = None;
        assert_eq!(
            args![1_i64, name, none, Some(2_u32), true, &name[..]],
            &[
                Value::Int(1),
                Value::Text("x"),
                Value::Null,
                Value::Int(2),
                Value::Bool(true),
                Value::Text("x")
            ]
        );
    }
}
