//! The database handle shared by every repository.
//!
//! One code path for SQLite and PostgreSQL: sqlx's `Any` driver runs the same runtime queries
//! on both (`$1..$N` placeholders and `RETURNING` work on both). Portable conventions keep it
//! that way: ids are UUID text, timestamps are unix milliseconds in BIGINT/INTEGER, booleans
//! are integers 0/1 (the `Any` driver cannot decode SQLite booleans), and DDL lives in one
//! migration folder per backend (`migrations/sqlite`, `migrations/postgres`), kept in step by
//! a test. The alternative, an enum over two typed pools, would duplicate every query.
//!
//! SQL lives in each capability's repository module (`repo.rs`, or the table's own module
//! such as `auth::session`); server functions and routes never run queries themselves.
//! Rows decode into private `#[derive(sqlx::FromRow)]` structs beside the query, mapped to
//! the wire types (which derive `Serialize`; row types holding a hash or a key never do).
//! Text-valued enums decode with `#[sqlx(try_from = "String")]` (see
//! [`text_enum!`](crate::text_enum!)); nullable ones and `Lang` decode as text and are parsed
//! in the mapping. Booleans are read as the integer they are stored as; single scalars
//! (`COUNT(*)`, one column) use `query_scalar`.

use secrecy::{ExposeSecret, SecretString};
use sqlx::{
    AnyPool, Executor,
    any::{AnyPoolOptions, install_default_drivers},
    migrate::Migrator,
};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which backend a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pooled connection to the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// Failure to open or migrate the database (start-up only).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the SQLite directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens a pool; for SQLite, creates the file (and its directory) when missing and sets
    /// WAL, `synchronous = NORMAL`, a 5 s busy timeout and foreign keys on every connection.
    pub async fn connect(url: &SecretString) -> Result<Db, DbError> {
        install_default_drivers();
        let url = url.expose_secret();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await.map_err(DbError::Connect)?;
        Ok(Db { pool, backend })
    }

    /// Applies the pending migrations of this backend.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Whether every migration this build carries is applied (successfully) and the
    /// database holds none this build does not know.
    pub async fn migrations_current(&self) -> Result<bool, sqlx::Error> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
        let applied: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(applied == known)
    }

    /// The pool, for queries and transactions.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection (used by tests before dropping a database).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the parent directory of a file-backed SQLite URL and asks for create-if-missing.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && let Some(parent) = std::path::Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|source| DbError::Directory {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let mode = if query.split('&').any(|kv| kv.starts_with("mode=")) {
        String::new()
    } else if query.is_empty() {
        "?mode=rwc".to_owned()
    } else {
        "&mode=rwc".to_owned()
    };
    let sep = if query.is_empty() { "" } else { "?" };
    Ok(format!("sqlite://{path}{sep}{query}{mode}"))
}

/// Whether the database answers a trivial query.
pub async fn ping(db: &Db) -> bool {
    sqlx::query("SELECT 1").execute(db.pool()).await.is_ok()
}

/// Milliseconds since the Unix epoch, the portable timestamp of every table.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A new random row id (UUID v4 text).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether `err` is a unique-constraint violation on `table.column`. SQLite names the
/// columns in its message; PostgreSQL names the constraint or index, which our migrations
/// call `{table}_{column}_key`.
pub fn is_unique_violation(err: &sqlx::Error, table: &str, column: &str) -> bool {
    let sqlx::Error::Database(db_err) = err else {
        return false;
    };
    if !db_err.is_unique_violation() {
        return false;
    }
    let pg_name = format!("{table}_{column}_key");
    let sqlite_name = format!("{table}.{column}");
    db_err.constraint() == Some(pg_name.as_str()) || db_err.message().contains(&sqlite_name)
}

/// Whether `err` is a duplicate primary key of `table`, on either backend: PostgreSQL names
/// the constraint `{table}_pkey`, SQLite says `UNIQUE constraint failed: {table}.…`.
pub fn is_primary_key_violation(err: &sqlx::Error, table: &str) -> bool {
    let sqlx::Error::Database(db_err) = err else {
        return false;
    };
    db_err.is_unique_violation()
        && (db_err.constraint() == Some(format!("{table}_pkey").as_str())
            || db_err
                .message()
                .contains(&format!("UNIQUE constraint failed: {table}.")))
}

/// `query` with the LIKE pattern characters escaped (for `LIKE ... ESCAPE '\'`).
pub fn like_escape(query: &str) -> String {
    query
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `%query%` for `LIKE ... ESCAPE '\'`, with the pattern characters in `query` taken literally.
pub fn like_pattern(query: &str) -> String {
    format!("%{}%", like_escape(query))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn like_patterns_are_literal() {
        assert_eq!(like_pattern("jo"), "%jo%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    /// Table → columns and the index names, read from one backend's migration folder.
    fn schema(backend: &str) -> (Vec<String>, BTreeMap<String, Vec<String>>, Vec<String>) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(backend);
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let names = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let sql: String = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .flat_map(|text| {
                text.lines()
                    .map(|l| l.split("--").next().unwrap_or("").to_owned())
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut tables = BTreeMap::new();
        let mut indexes = Vec::new();
        for stmt in sql.split(';') {
            let words: Vec<&str> = stmt.split_whitespace().collect();
            let upper: Vec<String> = words.iter().map(|w| w.to_uppercase()).collect();
            if upper.starts_with(&["CREATE".into(), "TABLE".into()]) {
                let name = words[2].to_owned();
                let body = &stmt[stmt.find('(').unwrap() + 1..stmt.rfind(')').unwrap()];
                let mut depth = 0;
                let mut parts = vec![String::new()];
                for c in body.chars() {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        ',' if depth == 0 => {
                            parts.push(String::new());
                            continue;
                        }
                        _ => {}
                    }
                    parts.last_mut().unwrap().push(c);
                }
                let columns = parts
                    .iter()
                    .filter_map(|p| p.split_whitespace().next())
                    .filter(|w| {
                        !["PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "CONSTRAINT"]
                            .contains(&w.to_uppercase().as_str())
                    })
                    .map(str::to_owned)
                    .collect();
                tables.insert(name, columns);
            } else if upper.starts_with(&["DROP".into(), "TABLE".into()]) {
                tables.remove(words[2]);
            } else if upper.starts_with(&["ALTER".into(), "TABLE".into()])
                && upper.get(3).is_some_and(|w| w == "RENAME")
                && upper.get(4).is_some_and(|w| w == "TO")
            {
                // A rebuilt table (SQLite's way to change a constraint) takes the old name.
                if let Some(columns) = tables.remove(words[2]) {
                    tables.insert(words[5].to_owned(), columns);
                }
            } else if upper.starts_with(&["ALTER".into(), "TABLE".into()])
                && upper.get(3).is_some_and(|w| w == "ADD")
                && upper.get(4).is_some_and(|w| w != "CONSTRAINT")
            {
                let column = if upper[4] == "COLUMN" {
                    words[5]
                } else {
                    words[4]
                };
                tables
                    .entry(words[2].to_owned())
                    .or_insert_with(Vec::new)
                    .push(column.to_owned());
            } else if let Some(pos) = upper.iter().position(|w| w == "INDEX") {
                // A rebuilt table's indexes are made again under their names.
                let name = words[pos + 1].to_owned();
                if !indexes.contains(&name) {
                    indexes.push(name);
                }
            }
        }
        (names, tables, indexes)
    }

    /// Parts only PostgreSQL has: the queue's search column and its pg_trgm index (SQLite
    /// keeps the same text in the FTS5 table `instance_requests_fts`; migration 0007).
    const POSTGRES_ONLY: &[&str] = &[
        "instance_requests.search_text",
        "instance_requests_search_idx",
    ];

    #[test]
    fn migration_sets_agree() {
        let (sqlite_files, sqlite_tables, sqlite_indexes) = schema("sqlite");
        let (pg_files, mut pg_tables, mut pg_indexes) = schema("postgres");
        for (table, columns) in pg_tables.iter_mut() {
            columns.retain(|c| !POSTGRES_ONLY.contains(&format!("{table}.{c}").as_str()));
        }
        pg_indexes.retain(|i| !POSTGRES_ONLY.contains(&i.as_str()));
        assert_eq!(
            sqlite_files, pg_files,
            "the same numbered files in both folders"
        );
        assert_eq!(
            sqlite_tables, pg_tables,
            "the same tables and columns, in the same order"
        );
        assert_eq!(sqlite_indexes, pg_indexes, "the same index names");
        assert!(
            sqlite_tables.contains_key("users")
                && sqlite_tables["users"].contains(&"email".to_owned())
        );
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:").unwrap(),
            "sqlite://:memory:?mode=rwc"
        );
        let dir = std::env::temp_dir().join(format!("tenantry-url-{}", new_id()));
        let file = dir.join("x.db");
        let url = format!("sqlite://{}", file.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.is_dir());
        let with_mode = format!("{url}?mode=ro");
        assert_eq!(prepare_sqlite_url(&with_mode).unwrap(), with_mode);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
