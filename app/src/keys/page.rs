//! `/orgs/:slug/keys`: the organization's API keys. Owners and admins create one (name,
//! write scope, expiry) and see its token once, with a copy button, a `.env` to download
//! and a `curl` to try it; they revoke and reroll. Members and viewers read the list.
//! Creating a key needs JavaScript (the token travels in the action's answer only); the
//! list, revoking and rerolling work as plain forms too.

use super::{
    KeyView, KeysPanel, Minted, Scopes,
    manage::{EXPIRY_DAYS, MAX_GRACE_HOURS, MintKey, RerollKey, RevokeKey, list_keys},
};
use crate::{
    components::{
        button::{Button, Size, Variant},
        form::{Field, FormError, SubmitButton, latest_error, tracked},
        format::{date, encode_component},
        load::Loaded,
        table::DataTable,
    },
    i18n::use_texts,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn KeysPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let mint = ServerAction::<MintKey>::new();
    let revoke = ServerAction::<RevokeKey>::new();
    let reroll = ServerAction::<RerollKey>::new();
    let panel = Resource::new(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                mint.version().get() + revoke.version().get() + reroll.version().get(),
            )
        },
        |(slug, _)| list_keys(slug),
    );
    // The newest token, from whichever action made it, until the next one (browser only).
    let fresh = RwSignal::new(None::<Minted>);
    Effect::new(move |_| {
        if let Some(Ok(minted)) = mint.value().get() {
            fresh.set(Some(minted));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(minted)) = reroll.value().get() {
            fresh.set(Some(minted));
        }
    });
    let fresh = Signal::from(fresh);
    view! {
        <h1 class="text-3xl font-bold tracking-tight">{move || t.get().keys_title}</h1>
        <p class="mt-2 text-sm">
            <a href="/api/docs" class="text-indigo-700 hover:underline" data-test="api-docs-link">
                {move || t.get().keys_api_docs}
            </a>
        </p>
        <Loaded resource=panel transition=true let:panel>
            <KeysView panel fresh mint revoke reroll />
        </Loaded>
    }
}

#[component]
fn KeysView(
    panel: KeysPanel,
    fresh: Signal<Option<Minted>>,
    mint: ServerAction<MintKey>,
    revoke: ServerAction<RevokeKey>,
    reroll: ServerAction<RerollKey>,
) -> impl IntoView {
    let t = use_texts();
    let name = panel.org_name.clone();
    let base_url = panel.base_url.clone();
    let connect_url = panel.base_url.clone();
    let error = latest_error(vec![tracked(mint), tracked(revoke), tracked(reroll)]);
    let pending = mint.pending().into();
    let slug = panel.org_slug.clone();
    let create = panel.can_manage.then(|| {
        view! {
            <div class="mt-6 max-w-xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                <ActionForm action=mint attr:class="space-y-4" attr:data-test="mint-form">
                    <input type="hidden" name="slug" value=slug />
                    <Field name="name" label=|t| t.keys_name error />
                    <label class="flex items-center gap-2 text-sm text-slate-700">
                        <input type="checkbox" name="write" value="on" data-test="mint-write" />
                        {move || t.get().keys_write}
                    </label>
                    <label class="block text-sm font-medium text-slate-700">
                        {move || t.get().keys_expiry}
                        <select
                            name="expires_days"
                            data-test="mint-expiry"
                            class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                        >
                            <option value="">{move || t.get().keys_expiry_never}</option>
                            {EXPIRY_DAYS
                                .iter()
                                .map(|days| {
                                    let days = *days;
                                    view! {
                                        <option value=days
                                            .to_string()>
                                            {move || (t.get().keys_expiry_days)(days)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <SubmitButton label=|t| t.keys_mint pending />
                </ActionForm>
            </div>
        }
    });
    let rows = panel
        .keys
        .iter()
        .map(|key| {
            view! {
                <KeyRow
                    key=key.clone()
                    now=panel.now
                    slug=panel.org_slug.clone()
                    manage=panel.can_manage
                    revoke
                    reroll
                />
            }
        })
        .collect_view();
    let empty = panel.keys.is_empty();
    view! {
        <p class="mt-1 text-slate-600">{move || (t.get().keys_lead)(&name)}</p>
        {(!panel.can_manage)
            .then(|| {
                view! {
                    <p class="mt-2 text-sm text-slate-500" data-test="keys-read-only">
                        {move || t.get().keys_read_only}
                    </p>
                }
            })}
        <div class="mt-4">
            <FormError error />
        </div>
        {move || fresh.get().map(|minted| view! { <Fresh minted base_url=base_url.clone() /> })}
        {create}
        {if empty {
            view! {
                <p class="mt-6 text-sm text-slate-500" data-test="no-keys">
                    {move || t.get().keys_none}
                </p>
            }
                .into_any()
        } else {
            view! {
                <DataTable
                    test="keys"
                    columns=vec![
                        |t| t.keys_col_name,
                        |t| t.keys_col_key,
                        |t| t.keys_col_scopes,
                        |t| t.keys_col_created,
                        |t| t.keys_col_last_used,
                        |t| t.keys_col_expires,
                        |t| t.keys_col_status,
                        |_| "",
                    ]
                >
                    {rows}
                </DataTable>
            }
                .into_any()
        }}
        <ConnectAgent base_url=connect_url />
    }
}

/// The token just made, shown this once, with what an agent needs to use it.
#[component]
fn Fresh(minted: Minted, base_url: String) -> impl IntoView {
    let t = use_texts();
    let token = minted.token.clone();
    let env = format!("TENANTRY_API_KEY={token}\nTENANTRY_BASE_URL={base_url}\n");
    let env_href = format!("data:text/plain;charset=utf-8,{}", encode_component(&env));
    let curl = format!(
        "curl -sS -H \"Authorization: Bearer $TENANTRY_API_KEY\" {base_url}/api/v1/organization"
    );
    let copied = RwSignal::new(false);
    let copy = {
        let token = token.clone();
        move |_| {
            copy_text(&token);
            copied.set(true);
        }
    };
    view! {
        <section
            class="mt-6 max-w-3xl rounded-xl border border-amber-300 bg-amber-50 p-6"
            data-test="fresh-key"
        >
            <p class="text-sm font-medium text-amber-900">{move || t.get().keys_token_once}</p>
            <div class="mt-2 flex items-center gap-3">
                <code
                    class="rounded bg-white px-3 py-2 font-mono text-sm break-all"
                    data-test="new-token"
                >
                    {token.clone()}
                </code>
                <button
                    type="button"
                    data-test="copy-token"
                    class="rounded-md border border-amber-400 bg-white px-3 py-2 text-sm"
                    on:click=copy
                >
                    {move || if copied.get() { t.get().keys_copied } else { t.get().keys_copy }}
                </button>
            </div>
            <p class="mt-4 text-xs font-medium tracking-wide text-amber-900 uppercase">
                {move || t.get().keys_env_title}
            </p>
            <pre class="mt-1 overflow-x-auto rounded bg-white p-3 text-xs" data-test="env-file">
                {env}
            </pre>
            <a
                href=env_href
                download="tenantry.env"
                data-test="download-env"
                class="mt-2 inline-block text-sm text-indigo-700 hover:underline"
            >
                {move || t.get().keys_download_env}
            </a>
            <p class="mt-4 text-xs font-medium tracking-wide text-amber-900 uppercase">
                {move || t.get().keys_curl_title}
            </p>
            <pre class="mt-1 overflow-x-auto rounded bg-white p-3 text-xs" data-test="curl">
                {curl}
            </pre>
            <p class="mt-2 text-xs text-slate-600">
                {minted.key.name.clone()} " · " {minted.key.display_prefix.clone()}
            </p>
        </section>
    }
}

/// An MCP client configuration: its label, the file it goes in, and its text.
pub struct AgentConfig {
    pub label: &'static str,
    pub file: &'static str,
    pub text: String,
}

/// The configurations of Claude Code and Cursor for this portal's `/mcp`, in the shapes
/// their documentation gives (AGENTS-API.md §1.6). They read the key from the
/// `TENANTRY_API_KEY` environment variable, so they hold no secret and can be committed.
pub fn agent_configs(base_url: &str) -> [AgentConfig; 2] {
    let url = format!("{}/mcp", base_url.trim_end_matches('/'));
    let pretty =
        |value: serde_json::Value| serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
    [
        AgentConfig {
            label: "Claude Code",
            file: ".mcp.json",
            text: pretty(serde_json::json!({
                "mcpServers": { "tenantry": {
                    "type": "http",
                    "url": url,
                    "headers": { "Authorization": "Bearer ${TENANTRY_API_KEY}" },
                }}
            })),
        },
        AgentConfig {
            label: "Cursor",
            file: ".cursor/mcp.json",
            text: pretty(serde_json::json!({
                "mcpServers": { "tenantry": {
                    "url": url,
                    "headers": { "Authorization": "Bearer ${env:TENANTRY_API_KEY}" },
                }}
            })),
        },
    ]
}

/// "Connect your agent": the MCP configurations of Claude Code and Cursor, to copy or
/// download, and the Claude Code command that adds the server.
#[component]
fn ConnectAgent(base_url: String) -> impl IntoView {
    let t = use_texts();
    let cli = format!(
        "claude mcp add --transport http tenantry {}/mcp --header \"Authorization: Bearer $TENANTRY_API_KEY\"",
        base_url.trim_end_matches('/')
    );
    let configs = agent_configs(&base_url)
        .into_iter()
        .map(|config| {
            let href = format!(
                "data:application/json;charset=utf-8,{}",
                encode_component(&config.text)
            );
            let download = config.file.trim_start_matches(".cursor/").to_owned();
            let copied = RwSignal::new(false);
            let copy = {
                let text = config.text.clone();
                move |_| {
                    copy_text(&text);
                    copied.set(true);
                }
            };
            view! {
                <div
                    class="mt-4"
                    data-test=format!(
                        "agent-config-{}",
                        config.label.to_lowercase().replace(' ', "-"),
                    )
                >
                    <p class="text-sm font-medium text-slate-800">
                        {config.label} " · " <code class="text-xs">{config.file}</code>
                    </p>
                    <pre class="mt-1 overflow-x-auto rounded bg-slate-50 p-3 text-xs">
                        {config.text.clone()}
                    </pre>
                    <div class="mt-2 flex gap-4 text-sm">
                        <button type="button" class="text-indigo-700 hover:underline" on:click=copy>
                            {move || {
                                if copied.get() { t.get().keys_copied } else { t.get().keys_copy }
                            }}
                        </button>
                        <a href=href download=download class="text-indigo-700 hover:underline">
                            {move || t.get().keys_download}
                        </a>
                    </div>
                </div>
            }
        })
        .collect_view();
    view! {
        <section
            class="mt-8 max-w-3xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
            data-test="connect-agent"
        >
            <h2 class="text-lg font-semibold">{move || t.get().keys_connect_title}</h2>
            <p class="mt-1 text-sm text-slate-600">{move || t.get().keys_connect_lead}</p>
            {configs}
            <p class="mt-4 text-sm font-medium text-slate-800">
                {move || t.get().keys_connect_cli}
            </p>
            <pre
                class="mt-1 overflow-x-auto rounded bg-slate-50 p-3 text-xs"
                data-test="claude-cli"
            >
                {cli}
            </pre>
        </section>
    }
}

/// Puts `text` on the clipboard (in the browser; nothing on the server).
fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

#[component]
fn KeyRow(
    key: KeyView,
    now: i64,
    slug: String,
    manage: bool,
    revoke: ServerAction<RevokeKey>,
    reroll: ServerAction<RerollKey>,
) -> impl IntoView {
    let t = use_texts();
    let status = if key.revoked_at.is_some() {
        "revoked"
    } else if key.is_active(now) {
        "active"
    } else {
        "expired"
    };
    let status_label = move || match status {
        "revoked" => t.get().keys_status_revoked,
        "active" => t.get().keys_status_active,
        _ => t.get().keys_status_expired,
    };
    let scopes = key.scopes;
    let scope_label = move || match scopes {
        Scopes::Read => t.get().keys_scope_read,
        Scopes::ReadWrite => t.get().keys_scope_read_write,
    };
    let last_used = key.last_used_at.map(date);
    let expires = key.expires_at.map(date);
    let actions = (manage && key.revoked_at.is_none()).then(|| {
        let (slug2, id2) = (slug.clone(), key.id.clone());
        view! {
            <div class="flex flex-wrap items-center gap-2">
                <ActionForm action=reroll attr:class="flex items-center gap-1">
                    <input type="hidden" name="slug" value=slug2 />
                    <input type="hidden" name="id" value=id2 />
                    <select
                        name="grace_hours"
                        aria-label=move || t.get().keys_grace
                        title=move || t.get().keys_grace
                        data-test="reroll-grace"
                        class="rounded-md border border-slate-300 px-2 py-1 text-xs"
                    >
                        {[0, 1, 24]
                            .into_iter()
                            .filter(|h| *h <= MAX_GRACE_HOURS)
                            .map(|hours| {
                                view! {
                                    <option value=hours
                                        .to_string()>
                                        {move || (t.get().keys_grace_hours)(hours)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <Button variant=Variant::Secondary size=Size::Sm attr:data-test="reroll-key">
                        {move || t.get().keys_reroll}
                    </Button>
                </ActionForm>
                <ActionForm action=revoke>
                    <input type="hidden" name="slug" value=slug />
                    <input type="hidden" name="id" value=key.id.clone() />
                    <Button variant=Variant::Danger size=Size::Sm attr:data-test="revoke-key">
                        {move || t.get().keys_revoke}
                    </Button>
                </ActionForm>
            </div>
        }
    });
    view! {
        <tr data-test="key-row" data-status=status>
            <td class="px-4 py-3 text-sm font-medium">{key.name.clone()}</td>
            <td class="px-4 py-3 font-mono text-xs" data-test="key-prefix">
                {key.display_prefix.clone()}
            </td>
            <td class="px-4 py-3 text-sm">{scope_label}</td>
            <td class="px-4 py-3 text-sm">
                {date(key.created_at)} {key.created_by.clone().map(|by| format!(" · {by}"))}
            </td>
            <td class="px-4 py-3 text-sm">
                {move || last_used.clone().unwrap_or_else(|| t.get().keys_never_used.to_owned())}
            </td>
            <td class="px-4 py-3 text-sm">
                {move || expires.clone().unwrap_or_else(|| t.get().keys_expiry_never.to_owned())}
            </td>
            <td class="px-4 py-3 text-sm" data-test="key-status">
                {status_label}
            </td>
            <td class="px-4 py-3 text-sm">{actions}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn agent_configs_have_the_clients_shapes_and_no_secret() {
        let [claude, cursor] = super::agent_configs("https://portal.example/");
        let claude: serde_json::Value = serde_json::from_str(&claude.text).unwrap();
        let server = &claude["mcpServers"]["tenantry"];
        assert_eq!(server["type"], "http");
        assert_eq!(server["url"], "https://portal.example/mcp");
        assert_eq!(
            server["headers"]["Authorization"],
            "Bearer ${TENANTRY_API_KEY}"
        );
        let cursor: serde_json::Value = serde_json::from_str(&cursor.text).unwrap();
        let server = &cursor["mcpServers"]["tenantry"];
        assert_eq!(server["url"], "https://portal.example/mcp");
        assert!(server.get("type").is_none());
        assert_eq!(
            server["headers"]["Authorization"],
            "Bearer ${env:TENANTRY_API_KEY}"
        );
    }
}
