//! `GET /audit/export.csv`: the filtered log as CSV, with the same access rules as the
//! page. Cells that a spreadsheet would read as a formula are prefixed with `'`.

use super::{AuditFilter, AuditRow, query};
use crate::{
    auth::{caller::Caller, middleware::err_response},
    components::format::date_time,
};
use axum::{
    extract::Query,
    response::{IntoResponse, Response},
};
use http::header;

/// The most rows one export returns (newest first).
pub const MAX_ROWS: u32 = 100_000;

pub async fn export_csv(caller: Caller, Query(filter): Query<AuditFilter>) -> Response {
    let result = async {
        let scope = query::scope(&caller, &filter.org).await?;
        let criteria = query::Criteria::parse(&filter, &scope)?;
        query::all(caller.db(), &criteria, MAX_ROWS).await
    }
    .await;
    match result {
        Ok(rows) => {
            let name = if filter.org.is_empty() {
                "audit-all.csv".to_owned()
            } else {
                format!("audit-{}.csv", filter.org)
            };
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                to_csv(&rows),
            )
                .into_response()
        }
        Err(err) => err_response(err),
    }
}

/// RFC 4180 CSV with a header line.
pub fn to_csv(rows: &[AuditRow]) -> String {
    let mut out = String::from(
        "time_utc,actor_name,actor_email,action,organization,target,client_address,outcome,detail\r\n",
    );
    for row in rows {
        let cells = [
            date_time(row.at),
            row.actor_name.clone().unwrap_or_default(),
            row.actor_email.clone().unwrap_or_default(),
            row.action.clone(),
            row.organization.clone().unwrap_or_default(),
            row.target.clone().unwrap_or_default(),
            row.client_addr.clone().unwrap_or_default(),
            row.outcome.clone(),
            row.detail.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
    }
}
