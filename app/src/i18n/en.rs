//! English strings.
use super::{
    Lang,
    Plural::{One, Other},
    Texts,
};

const LANG: Lang = Lang::En;

pub static TEXTS: Texts = Texts {
    tagline: "Onboarding and control plane for your managed service",
    skip_to_content: "Skip to content",
    nav_sign_in: "Sign in",
    nav_register: "Create account",
    nav_dashboard: "Dashboard",
    sign_out: "Sign out",
    language: "Language",
    apply: "Apply",
    account_menu: "Account",
    signed_in_as: "Signed in as",
    platform_admin: "Platform admin",
    platform_operator: "Platform operator",
    working: "Working…",
    loading: "Loading…",

    home_title: "Your managed service, one portal",
    home_lead: "Register your company or yourself, request an instance, and manage members, keys and usage in one place.",
    home_feature_onboard_title: "Guided onboarding",
    home_feature_onboard_text: "A short wizard collects everything needed to set up your instance.",
    home_feature_approve_title: "Reviewed and provisioned",
    home_feature_approve_text: "Our team reviews each request and provisions it with live progress.",
    home_feature_agents_title: "Ready for agents",
    home_feature_agents_text: "API keys scoped to your organization let your agents use the REST API and MCP.",
    home_go_dashboard: "Go to your dashboard",

    register_title: "Create your account",
    register_lead: "It takes a minute. No payment details needed.",
    account_type: "Account type",
    account_company: "Company",
    account_company_hint: "For a team; colleagues can join later.",
    account_personal: "Personal",
    account_personal_hint: "Just for you.",
    company_name: "Company name",
    given_name: "Given name",
    family_name: "Family name",
    email: "Email",
    password: "Password",
    password_hint: "At least 10 characters.",
    preferred_language: "Preferred language",
    register_submit: "Create account",
    have_account: "Already have an account?",

    sign_in_title: "Sign in",
    sign_in_lead: "Welcome back.",
    sign_in_submit: "Sign in",
    no_account: "New here?",

    dashboard_title: "Dashboard",
    dashboard_welcome: |name| format!("Welcome, {name}"),
    dashboard_orgs: "Your organizations",
    dashboard_no_orgs: "You are not a member of any organization yet.",
    col_organization: "Organization",
    col_kind: "Type",
    col_role: "Your role",
    col_slug: "Identifier",
    kind_company: "Company",
    kind_personal: "Personal",
    role_owner: "Owner",
    role_admin: "Admin",
    role_member: "Member",
    role_viewer: "Viewer",

    members_title: "Members",
    members_lead: |org| format!("People in {org} and what they may do."),
    members_read_only: "You can see the members; owners and admins manage them.",
    col_name: "Name",
    col_email: "Email",
    col_member_role: "Role",
    col_joined: "Joined",
    col_last_active: "Last active",
    col_actions: "Actions",
    never: "never",
    you: "you",
    new_role: "New role",
    change_role: "Change",
    remove_member: "Remove",
    leave_organization: "Leave organization",
    nav_members: "Members",

    platform_users_title: "Users",
    platform_users_lead: |total| format!("Every account on the platform, {total} in all."),
    search_label: "Search by email or name",
    search: "Search",
    col_status: "Status",
    col_platform_role: "Platform role",
    col_orgs: "Organizations",
    status_active: "Active",
    status_suspended: "Suspended",
    suspend: "Suspend",
    activate: "Activate",
    role_none: "None",
    set_role: "Set",
    previous: "Previous",
    next: "Next",
    page_of: |page, pages| format!("Page {page} of {pages}"),
    nav_users: "Users",

    settings_title: "Organization settings",
    settings_lead: |org| format!("Name and identifier of {org}."),
    display_name: "Display name",
    slug: "Identifier",
    slug_hint: "Used in addresses such as /orgs/identifier/members. After a change the old identifier stops working.",
    save: "Save",
    saved: "Saved.",
    nav_settings: "Settings",

    not_found_title: "Page not found",
    not_found_text: "The page you are looking for does not exist or has moved.",
    back_home: "Back to the start page",

    err_unauthenticated: "Please sign in to continue.",
    err_forbidden: "You are not allowed to do this.",
    err_suspended: "Your account is suspended. Please contact support.",
    err_not_found: "Not found.",
    err_invalid_credentials: "The email or password is wrong.",
    err_email_taken: "An account with this email already exists. Please sign in instead.",
    err_slug_taken: "Another organization already uses this identifier.",
    err_duplicate_domain: |domain| {
        format!(
            "A company with the email domain {domain} is already registered. Ask its owner to invite you."
        )
    },
    err_invalid: "Please correct the highlighted fields.",
    err_last_owner: "An organization always keeps at least one owner. Make someone else an owner first.",
    err_role_not_allowed: "You cannot make this change: only owners grant or revoke the owner role, admins manage admins, members and viewers, and nobody raises their own role.",
    err_own_account: "You cannot do this to your own account.",
    err_last_platform_admin: "The platform always keeps at least one platform admin. Make someone else a platform admin first.",
    err_bad_request: "The request could not be understood.",
    err_payload_too_large: "The submitted data is too large.",
    err_rate_limited: "Too many attempts. Please wait a while and try again.",
    err_cross_site: "This request came from another site and was refused.",
    err_internal: "Something went wrong on our side. Please try again later.",
    err_network: "The server could not be reached. Check your connection and try again.",

    problem_required: "This field is required.",
    problem_too_short: |min| match LANG.plural(min) {
        One => format!("Use at least {min} character."),
        Other => format!("Use at least {min} characters."),
    },
    problem_too_long: |max| match LANG.plural(max) {
        One => format!("Use at most {max} character."),
        Other => format!("Use at most {max} characters."),
    },
    problem_invalid_email: "Enter a valid email address.",
    problem_invalid_choice: "Choose one of the offered options.",
    problem_invalid_characters: "This field contains characters that are not allowed.",
    problem_invalid_slug: "Use 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit. Some words are reserved.",
    invite_title: "Invite someone",
    invite_lead: |days| match LANG.plural(days) {
        One => {
            format!("They receive an email with a link that works once and expires in {days} day.")
        }
        Other => {
            format!("They receive an email with a link that works once and expires in {days} days.")
        }
    },
    invite_role: "Role",
    invite_language: "Email language",
    invite_submit: "Send invitation",
    invite_sent: |email| format!("Invitation sent to {email}."),
    invite_not_delivered: |email, error| {
        format!(
            "The invitation to {email} was saved, but the email could not be delivered: {error}. Try “Resend” later."
        )
    },
    pending_invitations: "Pending invitations",
    no_pending_invitations: "No pending invitations.",
    col_invited_by: "Invited by",
    col_expires: "Expires",
    col_delivery: "Email",
    delivery_sent: "Delivered",
    delivery_sending: "Sending…",
    delivery_failed: "Not delivered",
    expired: "expired",
    resend: "Resend",
    revoke: "Revoke",
    accept_title: |org| format!("Join {org}"),
    accept_lead: |inviter, email, role| format!("{inviter} invited {email} to join as {role}."),
    accept_submit: "Accept and join",
    accept_new_lead: |email| {
        format!("Create your account to accept. Your email address is {email}.")
    },
    accept_sign_in_lead: |email| format!("An account with {email} exists. Sign in to accept."),
    accept_wrong_account: |current, email| {
        format!(
            "You are signed in as {current}, but this invitation is for {email}. Sign out and sign in with that account."
        )
    },
    accept_create_submit: "Create account and join",
    or_continue_with: "or continue with",
    err_invitation_invalid: "This invitation link is not valid. Ask for a new invitation.",
    err_invitation_expired: "This invitation has expired. Ask for a new invitation.",
    err_invitation_used: "This invitation has already been used.",
    err_invitation_wrong_account: |email| {
        format!("This invitation is for {email}. Sign out and sign in with that account.")
    },
    err_already_member: "This person is already a member of the organization.",
    nav_switch_org: "Switch organization",
    err_oidc_unknown_issuer: "This sign-in provider is not configured.",
    err_oidc_state: "The sign-in could not be matched to this browser or took too long. Please start again.",
    err_oidc_denied: "The sign-in provider did not allow the sign-in.",
    err_oidc_token: "The answer of the sign-in provider could not be verified. Please start again.",
    err_oidc_email_unverified: "The sign-in provider has not confirmed your email address, so we cannot use it.",
    err_oidc_unavailable: "The sign-in provider cannot be reached right now. Please try again later.",
    err_email_unverified: "Please confirm your email address first: open the link we sent you.",
    err_verification_invalid: "This confirmation link is not valid any more. Sign in to get a new one.",
    err_oidc_link_refused: "An account with this email address already exists. Sign in with your password; this provider cannot be linked to it automatically.",
    confirm_title: "Confirm your email address",
    confirm_lead: |email| {
        format!("We sent a link to {email}. Open it to finish setting up your account.")
    },
    confirm_resend: "Send the link again",
    confirm_resent: "A new link is on its way. It replaces the earlier ones.",
    confirm_wrong_address: "Wrong address? Sign out and register again.",
    confirm_done: "Your email address is confirmed.",
    confirm_to_dashboard: "Go to your dashboard",
    confirm_signed_out: "Sign in to get a new confirmation link.",
    sign_in_with: |name| format!("Sign in with {name}"),
    err_conflict: "Someone else changed this at the same time. Reload the page and try again.",
    err_invalid_api_key: "This API key is not valid: it is malformed, unknown, revoked or expired.",
    problem_invalid_date: "Enter a date as YYYY-MM-DD.",
    audit_title: "Audit log",
    audit_lead_org: |org| format!("Everything that happened in {org}, newest first."),
    audit_lead_all: |total| format!("Every event on the platform, newest first: {total} in all."),
    audit_total: |total| match LANG.plural(total) {
        One => format!("{total} event matches."),
        Other => format!("{total} events match."),
    },
    audit_actor: "Actor (email or name)",
    audit_action: "Action",
    audit_any_action: "Any action",
    audit_from: "From",
    audit_to: "To",
    audit_filter: "Filter",
    audit_export: "Export CSV",
    audit_empty: "No events match.",
    col_time: "Time (UTC)",
    col_actor: "Actor",
    col_target: "Target",
    col_address: "Address",
    col_outcome: "Outcome",
    outcome_success: "success",
    outcome_failure: "failure",
    outcome_denied: "denied",
    nav_audit: "Audit log",
    system: "system",
    err_secrets_not_configured: "Storing secrets is not set up on this portal yet. Please contact support.",
    err_usage_not_configured: "Usage is not configured on this portal: it is read from LiteLLM, which is not enabled.",
    err_usage_unavailable: "Usage could not be read from LiteLLM just now. Please try again later.",
    queue_title: "Instance requests",
    queue_lead: |total| match LANG.plural(total) {
        One => format!("{total} request matches; oldest first."),
        Other => format!("{total} requests match; oldest first."),
    },
    queue_search: "Search by organization or contact",
    queue_status: "Status",
    queue_all: "All (pending first)",
    queue_empty: "No requests match.",
    col_contact: "Contact",
    col_requested: "Requested",
    request_status_pending: "Pending",
    request_status_approved: "Approved",
    request_status_provisioning: "Provisioning",
    request_status_active: "Active",
    request_status_rejected: "Rejected",
    request_status_deleted: "Deleted",
    note_optional: "Note (optional)",
    note_required: "Reason (sent to the requester)",
    approve: "Approve",
    reject: "Reject",
    approved_as: |name| format!("Approved: instance {name} created."),
    nav_requests: "Requests",
    col_instance: "Instance",
    col_note: "Note",
    col_packages: "Packages",
    col_phase: "Phase",
    create_instance: "Create new instance",
    dashboard_instances: "Instances",
    dashboard_no_instances: "No instances yet.",
    dashboard_no_requests: "No open requests.",
    dashboard_requests: "Requests",
    live_on: "● Live",
    phase_pending: "Pending",
    phase_provisioning: "Provisioning",
    phase_ready: "Ready",
    phase_error: "Error",
    phase_suspended: "Suspended",
    phase_deleting: "Deleting",
    phase_deleted: "Deleted",
    steps_title: "Provisioning steps",
    step_webhook_approved: "Announce the approval",
    step_litellm_team: "AI budget for the organization",
    step_litellm_key: "AI access key for the instance",
    step_webhook_provisioned: "Announce that it is ready",
    step_litellm_key_remove: "Remove the instance's AI access key",
    step_litellm_team_remove: "Remove the organization's AI budget once no instance uses it",
    step_webhook_deprovisioned: "Announce the removal",
    step_status_pending: "Waiting",
    step_status_running: "Running",
    step_status_ok: "Done",
    step_status_skipped: "Skipped",
    step_status_error: "Failed",
    step_failed_generic: "This step failed. Our team has been notified and will retry it.",
    step_attempts: |n| format!("Attempts: {n}"),
    retry_failed_steps: "Retry failed steps",
    reconcile: "Reconcile",
    deprovision: "Deprovision",
    retry_step: |step| format!("Retry “{step}”"),
    staff_actions: "Staff actions",
    problem_invalid_host: "Enter a host name such as mail.example.com.",
    problem_invalid_port: "Enter a port between 1 and 65535.",
    queue_back: "← Back to the queue",
    request_decided: "Decided",
    request_secrets_stored: "Secrets stored (values hidden)",
    request_submitted: "Your request was submitted. A platform admin will review it; this page updates by itself.",
    wizard_title: "Request a new instance",
    wizard_welcome: |org| {
        format!(
            "Set up an AI agent instance for {org} in a few steps. A platform admin reviews every request before it is created."
        )
    },
    wizard_ask_owner: |org| {
        format!("Only owners of {org} can request new instances. Please ask an owner:")
    },
    wizard_back_to_dashboard: "Back to the dashboard",
    wizard_back: "Back",
    wizard_next: "Next",
    wizard_submit: "Submit request",
    wizard_step_welcome: "Welcome",
    wizard_step_configure: "Configure",
    wizard_step_packages: "Packages",
    wizard_step_secrets: "Secrets",
    wizard_step_billing: "Billing",
    wizard_step_confirm: "Confirm",
    wizard_instance_label: "Instance name (optional)",
    wizard_instance_label_hint: "Up to 80 characters; shown on your dashboard.",
    wizard_agent_name: "Agent name",
    wizard_soul_md: "SOUL.md",
    wizard_soul_md_hint: "Who your agent is: personality and tone. Markdown, up to 10,000 characters.",
    wizard_agents_md: "AGENTS.md",
    wizard_agents_md_hint: "How your agent works: tasks and rules. Markdown, up to 10,000 characters.",
    wizard_packages_lead: "Choose what your agent can use. You can change packages later.",
    wizard_needs_secrets: "Needs access data",
    wizard_secrets_lead: "These values are encrypted before they are stored; nobody at the platform can read them.",
    wizard_secrets_nojs: "Fill in only the fields of the packages you chose above.",
    wizard_secret_entered: "access data entered",
    wizard_billing_company: "Company",
    wizard_billing_street: "Street and number",
    wizard_billing_postal_code: "Postal code",
    wizard_billing_city: "City",
    wizard_billing_country: "Country",
    wizard_billing_notes: "Billing notes (optional)",
    wizard_contact: "Contact",
    wizard_contact_name: "Contact name",
    wizard_contact_email: "Contact email",
    wizard_confirm_nojs: "Check your entries above, then submit the request.",
    nav_keys: "API keys",
    keys_title: "API keys",
    keys_lead: |org| {
        format!(
            "Keys let AI agents and scripts use the API of {org}. Each key acts for the member who created it, within its scopes."
        )
    },
    keys_read_only: "Owners and admins create, reroll and revoke keys.",
    keys_name: "Key name",
    keys_write: "Allow changes (write scope)",
    keys_expiry: "Expires",
    keys_expiry_never: "Never",
    keys_expiry_days: |n| format!("In {n} days"),
    keys_mint: "Create key",
    keys_token_once: "Copy this token now: it is shown only once and cannot be recovered.",
    keys_copy: "Copy",
    keys_copied: "Copied",
    keys_env_title: ".env for your agent",
    keys_download_env: "Download .env",
    keys_curl_title: "Try it",
    keys_download: "Download",
    keys_connect_title: "Connect your agent",
    keys_connect_lead: "These MCP configurations read the key from the TENANTRY_API_KEY environment variable (put it there from the .env), so they hold no secret.",
    keys_connect_cli: "Or add it with the Claude Code command line:",
    keys_none: "No API keys yet.",
    keys_col_name: "Name",
    keys_col_key: "Key",
    keys_col_scopes: "Scopes",
    keys_col_created: "Created",
    keys_col_last_used: "Last used",
    keys_col_expires: "Expires",
    keys_col_status: "Status",
    keys_scope_read: "read",
    keys_scope_read_write: "read, write",
    keys_status_active: "Active",
    keys_status_revoked: "Revoked",
    keys_status_expired: "Expired",
    keys_revoke: "Revoke",
    keys_reroll: "New token",
    keys_grace: "The old token keeps working for",
    keys_grace_hours: |n| {
        if n == 0 {
            "Old token stops now".to_owned()
        } else {
            format!("Old token works {n} h more")
        }
    },
    keys_never_used: "Never",
};

/// Strings only the server uses; not compiled into the browser build.
#[cfg(feature = "ssr")]
pub static SERVER: super::ServerTexts = super::ServerTexts {
    mail_invite_subject: |inviter, org| format!("{inviter} invited you to {org}"),
    mail_invite_intro: |inviter, org, role| {
        format!("{inviter} invited you to join {org} on Tenantry as {role}.")
    },
    mail_invite_action: "Accept the invitation",
    mail_invite_expiry: |days| match LANG.plural(days) {
        One => format!("The link works once and expires in {days} day."),
        Other => format!("The link works once and expires in {days} days."),
    },
    mail_invite_ignore: "If you did not expect this invitation, you can ignore this email.",
    mail_request_approved_subject: |label| format!("Your request for {label} was approved"),
    mail_request_approved_body: |label, org, name| {
        format!(
            "Good news: your request for {label} ({org}) was approved. The instance {name} is being set up; your dashboard shows its progress."
        )
    },
    mail_request_rejected_subject: |label| format!("Your request for {label} was not approved"),
    mail_request_rejected_body: |label, org| {
        format!("Your request for {label} ({org}) was not approved.")
    },
    mail_request_note: "Note from the platform team:",
    mail_request_dashboard_action: "Open your dashboard",
    mail_request_new_subject: |org, label| format!("New instance request from {org}: {label}"),
    mail_request_new_body: |requester, label, org| {
        format!(
            "{requester} requested the instance {label} for {org}. It waits in the admin queue for a decision."
        )
    },
    mail_request_new_action: "Open the request",
    mail_verify_subject: "Confirm your email address",
    mail_verify_body: |name| {
        format!(
            "Hello {name}, please confirm that this is your email address to finish setting up your account."
        )
    },
    mail_verify_action: "Confirm my email address",
    mail_verify_expiry: |hours| match LANG.plural(hours) {
        One => format!("The link works once and expires in {hours} hour."),
        Other => format!("The link works once and expires in {hours} hours."),
    },
    mail_verify_ignore: "If you did not create an account, you can ignore this email; nothing happens without the link.",
    wizard_default_soul: |name| {
        format!(
            "# Soul\n\nYou are the AI assistant of {name}. You are friendly, precise and honest, and you say so when you do not know something.\n"
        )
    },
    wizard_default_agents: |name| {
        format!(
            "# Agents\n\nYou work for {name}.\n\n- Answer questions about {name} and its work.\n- Ask before you act on anyone's behalf.\n- Never share credentials or personal data.\n"
        )
    },
};
