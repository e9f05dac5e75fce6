//! German strings.
use super::{
    Lang,
    Plural::{One, Other},
    Texts,
};

const LANG: Lang = Lang::De;

pub static TEXTS: Texts = Texts {
    tagline: "Onboarding und Steuerung für Ihren Managed Service",
    skip_to_content: "Zum Inhalt springen",
    nav_sign_in: "Anmelden",
    nav_register: "Konto erstellen",
    nav_dashboard: "Übersicht",
    sign_out: "Abmelden",
    language: "Sprache",
    apply: "Übernehmen",
    account_menu: "Konto",
    signed_in_as: "Angemeldet als",
    platform_admin: "Plattform-Admin",
    platform_operator: "Plattform-Betrieb",
    working: "Wird ausgeführt…",
    loading: "Wird geladen…",

    home_title: "Ihr Managed Service in einem Portal",
    home_lead: "Registrieren Sie Ihr Unternehmen oder sich selbst, beantragen Sie eine Instanz und verwalten Sie Mitglieder, Schlüssel und Nutzung an einem Ort.",
    home_feature_onboard_title: "Geführtes Onboarding",
    home_feature_onboard_text: "Ein kurzer Assistent erfasst alles, was für Ihre Instanz nötig ist.",
    home_feature_approve_title: "Geprüft und bereitgestellt",
    home_feature_approve_text: "Unser Team prüft jede Anfrage und stellt sie mit Live-Fortschritt bereit.",
    home_feature_agents_title: "Bereit für Agenten",
    home_feature_agents_text: "API-Schlüssel für Ihre Organisation geben Ihren Agenten Zugriff auf REST-API und MCP.",
    home_go_dashboard: "Zur Übersicht",

    register_title: "Konto erstellen",
    register_lead: "Dauert eine Minute. Keine Zahlungsdaten nötig.",
    account_type: "Kontoart",
    account_company: "Unternehmen",
    account_company_hint: "Für ein Team; Kolleginnen und Kollegen können später beitreten.",
    account_personal: "Privat",
    account_personal_hint: "Nur für Sie.",
    company_name: "Firmenname",
    given_name: "Vorname",
    family_name: "Nachname",
    email: "E-Mail",
    password: "Passwort",
    password_hint: "Mindestens 10 Zeichen.",
    preferred_language: "Bevorzugte Sprache",
    register_submit: "Konto erstellen",
    have_account: "Sie haben schon ein Konto?",

    sign_in_title: "Anmelden",
    sign_in_lead: "Willkommen zurück.",
    sign_in_submit: "Anmelden",
    no_account: "Neu hier?",

    dashboard_title: "Übersicht",
    dashboard_welcome: |name| format!("Willkommen, {name}"),
    dashboard_orgs: "Ihre Organisationen",
    dashboard_no_orgs: "Sie sind noch in keiner Organisation Mitglied.",
    col_organization: "Organisation",
    col_kind: "Art",
    col_role: "Ihre Rolle",
    col_slug: "Kennung",
    kind_company: "Unternehmen",
    kind_personal: "Privat",
    role_owner: "Inhaber",
    role_admin: "Admin",
    role_member: "Mitglied",
    role_viewer: "Betrachter",

    members_title: "Mitglieder",
    members_lead: |org| format!("Personen in {org} und was sie dürfen."),
    members_read_only: "Sie sehen die Mitglieder; Inhaber und Admins verwalten sie.",
    col_name: "Name",
    col_email: "E-Mail",
    col_member_role: "Rolle",
    col_joined: "Beigetreten",
    col_last_active: "Zuletzt aktiv",
    col_actions: "Aktionen",
    never: "nie",
    you: "Sie",
    new_role: "Neue Rolle",
    change_role: "Ändern",
    remove_member: "Entfernen",
    leave_organization: "Organisation verlassen",
    nav_members: "Mitglieder",

    platform_users_title: "Benutzer",
    platform_users_lead: |total| format!("Alle Konten der Plattform, insgesamt {total}."),
    search_label: "Nach E-Mail oder Name suchen",
    search: "Suchen",
    col_status: "Status",
    col_platform_role: "Plattformrolle",
    col_orgs: "Organisationen",
    status_active: "Aktiv",
    status_suspended: "Gesperrt",
    suspend: "Sperren",
    activate: "Entsperren",
    role_none: "Keine",
    set_role: "Setzen",
    previous: "Zurück",
    next: "Weiter",
    page_of: |page, pages| format!("Seite {page} von {pages}"),
    nav_users: "Benutzer",

    settings_title: "Organisationseinstellungen",
    settings_lead: |org| format!("Name und Kennung von {org}."),
    display_name: "Anzeigename",
    slug: "Kennung",
    slug_hint: "Wird in Adressen wie /orgs/kennung/members verwendet. Nach einer Änderung funktioniert die alte Kennung nicht mehr.",
    save: "Speichern",
    saved: "Gespeichert.",
    nav_settings: "Einstellungen",

    not_found_title: "Seite nicht gefunden",
    not_found_text: "Die gesuchte Seite existiert nicht oder wurde verschoben.",
    back_home: "Zurück zur Startseite",

    err_unauthenticated: "Bitte melden Sie sich an, um fortzufahren.",
    err_forbidden: "Dazu sind Sie nicht berechtigt.",
    err_suspended: "Ihr Konto ist gesperrt. Bitte wenden Sie sich an den Support.",
    err_not_found: "Nicht gefunden.",
    err_invalid_credentials: "E-Mail oder Passwort ist falsch.",
    err_email_taken: "Für diese E-Mail-Adresse gibt es bereits ein Konto. Bitte melden Sie sich an.",
    err_slug_taken: "Eine andere Organisation verwendet diese Kennung bereits.",
    err_duplicate_domain: |domain| {
        format!(
            "Ein Unternehmen mit der E-Mail-Domain {domain} ist bereits registriert. Bitten Sie dessen Inhaber um eine Einladung."
        )
    },
    err_invalid: "Bitte korrigieren Sie die markierten Felder.",
    err_last_owner: "Eine Organisation braucht immer mindestens einen Inhaber. Ernennen Sie zuerst eine andere Person zum Inhaber.",
    err_role_not_allowed: "Diese Änderung ist nicht erlaubt: Nur Inhaber vergeben oder entziehen die Inhaberrolle, Admins verwalten Admins, Mitglieder und Betrachter, und niemand erhöht die eigene Rolle.",
    err_own_account: "Das können Sie mit Ihrem eigenen Konto nicht tun.",
    err_last_platform_admin: "Die Plattform braucht immer mindestens einen Plattform-Admin. Ernennen Sie zuerst eine andere Person.",
    err_bad_request: "Die Anfrage konnte nicht verarbeitet werden.",
    err_payload_too_large: "Die übermittelten Daten sind zu groß.",
    err_rate_limited: "Zu viele Versuche. Bitte warten Sie eine Weile und versuchen Sie es erneut.",
    err_cross_site: "Diese Anfrage kam von einer anderen Website und wurde abgelehnt.",
    err_internal: "Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es später erneut.",
    err_network: "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",

    problem_required: "Dieses Feld ist erforderlich.",
    problem_too_short: |min| format!("Mindestens {min} Zeichen."),
    problem_too_long: |max| format!("Höchstens {max} Zeichen."),
    problem_invalid_email: "Geben Sie eine gültige E-Mail-Adresse ein.",
    problem_invalid_choice: "Wählen Sie eine der angebotenen Optionen.",
    problem_invalid_characters: "Dieses Feld enthält unzulässige Zeichen.",
    problem_invalid_slug: "Verwenden Sie 3 bis 63 Kleinbuchstaben, Ziffern und Bindestriche, am Anfang und Ende ein Buchstabe oder eine Ziffer. Einige Wörter sind reserviert.",
    invite_title: "Jemanden einladen",
    invite_lead: |days| match LANG.plural(days) {
        One => format!(
            "Die Person erhält eine E-Mail mit einem Link, der einmal funktioniert und nach {days} Tag abläuft."
        ),
        Other => format!(
            "Die Person erhält eine E-Mail mit einem Link, der einmal funktioniert und nach {days} Tagen abläuft."
        ),
    },
    invite_role: "Rolle",
    invite_language: "Sprache der E-Mail",
    invite_submit: "Einladung senden",
    invite_sent: |email| format!("Einladung an {email} gesendet."),
    invite_not_delivered: |email, error| {
        format!(
            "Die Einladung an {email} wurde gespeichert, aber die E-Mail konnte nicht zugestellt werden: {error}. Versuchen Sie später „Erneut senden“."
        )
    },
    pending_invitations: "Offene Einladungen",
    no_pending_invitations: "Keine offenen Einladungen.",
    col_invited_by: "Eingeladen von",
    col_expires: "Läuft ab",
    col_delivery: "E-Mail",
    delivery_sent: "Zugestellt",
    delivery_sending: "Wird gesendet…",
    delivery_failed: "Nicht zugestellt",
    expired: "abgelaufen",
    resend: "Erneut senden",
    revoke: "Widerrufen",
    accept_title: |org| format!("{org} beitreten"),
    accept_lead: |inviter, email, role| {
        format!("{inviter} hat {email} eingeladen, als {role} beizutreten.")
    },
    accept_submit: "Annehmen und beitreten",
    accept_new_lead: |email| {
        format!("Erstellen Sie Ihr Konto, um anzunehmen. Ihre E-Mail-Adresse ist {email}.")
    },
    accept_sign_in_lead: |email| {
        format!("Es gibt bereits ein Konto mit {email}. Melden Sie sich an, um anzunehmen.")
    },
    accept_wrong_account: |current, email| {
        format!(
            "Sie sind als {current} angemeldet, aber diese Einladung gilt für {email}. Melden Sie sich ab und mit diesem Konto an."
        )
    },
    accept_create_submit: "Konto erstellen und beitreten",
    or_continue_with: "oder weiter mit",
    err_invitation_invalid: "Dieser Einladungslink ist ungültig. Bitten Sie um eine neue Einladung.",
    err_invitation_expired: "Diese Einladung ist abgelaufen. Bitten Sie um eine neue Einladung.",
    err_invitation_used: "Diese Einladung wurde bereits verwendet.",
    err_invitation_wrong_account: |email| {
        format!("Diese Einladung gilt für {email}. Melden Sie sich ab und mit diesem Konto an.")
    },
    err_already_member: "Diese Person ist bereits Mitglied der Organisation.",
    nav_switch_org: "Organisation wechseln",
    err_oidc_unknown_issuer: "Dieser Anmeldeanbieter ist nicht eingerichtet.",
    err_oidc_state: "Die Anmeldung passt nicht zu diesem Browser oder hat zu lange gedauert. Bitte beginnen Sie erneut.",
    err_oidc_denied: "Der Anmeldeanbieter hat die Anmeldung nicht erlaubt.",
    err_oidc_token: "Die Antwort des Anmeldeanbieters konnte nicht geprüft werden. Bitte beginnen Sie erneut.",
    err_oidc_email_unverified: "Der Anmeldeanbieter hat Ihre E-Mail-Adresse nicht bestätigt, daher können wir sie nicht verwenden.",
    err_oidc_unavailable: "Der Anmeldeanbieter ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.",
    err_email_unverified: "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse: Öffnen Sie den Link, den wir Ihnen geschickt haben.",
    err_verification_invalid: "Dieser Bestätigungslink ist nicht mehr gültig. Melden Sie sich an, um einen neuen zu erhalten.",
    err_oidc_link_refused: "Es gibt bereits ein Konto mit dieser E-Mail-Adresse. Melden Sie sich mit Ihrem Passwort an; dieser Anbieter kann nicht automatisch damit verknüpft werden.",
    confirm_title: "Bestätigen Sie Ihre E-Mail-Adresse",
    confirm_lead: |email| {
        format!(
            "Wir haben einen Link an {email} geschickt. Öffnen Sie ihn, um die Einrichtung Ihres Kontos abzuschliessen."
        )
    },
    confirm_resend: "Link erneut senden",
    confirm_resent: "Ein neuer Link ist unterwegs. Er ersetzt die früheren.",
    confirm_wrong_address: "Falsche Adresse? Melden Sie sich ab und registrieren Sie sich neu.",
    confirm_done: "Ihre E-Mail-Adresse ist bestätigt.",
    confirm_to_dashboard: "Zur Übersicht",
    confirm_signed_out: "Melden Sie sich an, um einen neuen Bestätigungslink zu erhalten.",
    sign_in_with: |name| format!("Mit {name} anmelden"),
    err_conflict: "Jemand anderes hat dies gleichzeitig geändert. Laden Sie die Seite neu und versuchen Sie es erneut.",
    err_invalid_api_key: "Dieser API-Schlüssel ist ungültig: fehlerhaft, unbekannt, widerrufen oder abgelaufen.",
    problem_invalid_date: "Geben Sie ein Datum als JJJJ-MM-TT ein.",
    audit_title: "Audit-Protokoll",
    audit_lead_org: |org| format!("Alles, was in {org} geschah, neueste zuerst."),
    audit_lead_all: |total| {
        format!("Alle Ereignisse der Plattform, neueste zuerst: {total} insgesamt.")
    },
    audit_total: |total| match LANG.plural(total) {
        One => format!("{total} Ereignis passt."),
        Other => format!("{total} Ereignisse passen."),
    },
    audit_actor: "Akteur (E-Mail oder Name)",
    audit_action: "Aktion",
    audit_any_action: "Jede Aktion",
    audit_from: "Von",
    audit_to: "Bis",
    audit_filter: "Filtern",
    audit_export: "CSV exportieren",
    audit_empty: "Keine passenden Ereignisse.",
    col_time: "Zeit (UTC)",
    col_actor: "Akteur",
    col_target: "Ziel",
    col_address: "Adresse",
    col_outcome: "Ergebnis",
    outcome_success: "erfolgreich",
    outcome_failure: "fehlgeschlagen",
    outcome_denied: "abgelehnt",
    nav_audit: "Audit-Protokoll",
    system: "System",
    err_secrets_not_configured: "Das Speichern von Geheimnissen ist auf diesem Portal noch nicht eingerichtet. Bitte wenden Sie sich an den Support.",
    err_usage_not_configured: "Die Nutzung ist auf diesem Portal nicht eingerichtet: Sie wird aus LiteLLM gelesen, das nicht aktiviert ist.",
    err_usage_unavailable: "Die Nutzung konnte gerade nicht aus LiteLLM gelesen werden. Bitte versuchen Sie es später erneut.",
    queue_title: "Instanzanfragen",
    queue_lead: |total| match LANG.plural(total) {
        One => format!("{total} Anfrage passt; älteste zuerst."),
        Other => format!("{total} Anfragen passen; älteste zuerst."),
    },
    queue_search: "Nach Organisation oder Kontakt suchen",
    queue_status: "Status",
    queue_all: "Alle (offene zuerst)",
    queue_empty: "Keine passenden Anfragen.",
    col_contact: "Kontakt",
    col_requested: "Angefragt",
    request_status_pending: "Offen",
    request_status_approved: "Genehmigt",
    request_status_provisioning: "Wird eingerichtet",
    request_status_active: "Aktiv",
    request_status_rejected: "Abgelehnt",
    request_status_deleted: "Gelöscht",
    note_optional: "Notiz (optional)",
    note_required: "Begründung (geht an die anfragende Person)",
    approve: "Genehmigen",
    reject: "Ablehnen",
    approved_as: |name| format!("Genehmigt: Instanz {name} angelegt."),
    nav_requests: "Anfragen",
    col_instance: "Instanz",
    col_note: "Notiz",
    col_packages: "Pakete",
    col_phase: "Phase",
    create_instance: "Neue Instanz erstellen",
    dashboard_instances: "Instanzen",
    dashboard_no_instances: "Noch keine Instanzen.",
    dashboard_no_requests: "Keine offenen Anfragen.",
    dashboard_requests: "Anfragen",
    live_on: "● Live",
    phase_pending: "Ausstehend",
    phase_provisioning: "Wird eingerichtet",
    phase_ready: "Bereit",
    phase_error: "Fehler",
    phase_suspended: "Gesperrt",
    phase_deleting: "Wird gelöscht",
    phase_deleted: "Gelöscht",
    steps_title: "Bereitstellungsschritte",
    step_webhook_approved: "Freigabe melden",
    step_litellm_team: "KI-Budget der Organisation",
    step_litellm_key: "KI-Zugangsschlüssel der Instanz",
    step_webhook_provisioned: "Bereitschaft melden",
    step_litellm_key_remove: "KI-Zugangsschlüssel der Instanz entfernen",
    step_litellm_team_remove: "KI-Budget der Organisation entfernen, sobald keine Instanz es nutzt",
    step_webhook_deprovisioned: "Entfernung melden",
    step_status_pending: "Wartet",
    step_status_running: "Läuft",
    step_status_ok: "Erledigt",
    step_status_skipped: "Übersprungen",
    step_status_error: "Fehlgeschlagen",
    step_failed_generic: "Dieser Schritt ist fehlgeschlagen. Unser Team ist informiert und wiederholt ihn.",
    step_attempts: |n| format!("Versuche: {n}"),
    retry_failed_steps: "Fehlgeschlagene Schritte wiederholen",
    reconcile: "Abgleichen",
    deprovision: "Abbauen",
    retry_step: |step| format!("„{step}“ wiederholen"),
    staff_actions: "Aktionen des Teams",
    problem_invalid_host: "Geben Sie einen Hostnamen wie mail.example.com ein.",
    problem_invalid_port: "Geben Sie einen Port zwischen 1 und 65535 ein.",
    queue_back: "← Zurück zur Warteschlange",
    request_decided: "Entschieden",
    request_secrets_stored: "Gespeicherte Geheimnisse (Werte verborgen)",
    request_submitted: "Ihre Anfrage wurde eingereicht. Ein Plattform-Admin prüft sie; diese Seite aktualisiert sich von selbst.",
    wizard_title: "Neue Instanz anfragen",
    wizard_welcome: |org| {
        format!(
            "Richten Sie in wenigen Schritten eine KI-Agenten-Instanz für {org} ein. Ein Plattform-Admin prüft jede Anfrage, bevor sie erstellt wird."
        )
    },
    wizard_ask_owner: |org| {
        format!(
            "Nur Inhaber von {org} können neue Instanzen anfragen. Bitte wenden Sie sich an einen Inhaber:"
        )
    },
    wizard_back_to_dashboard: "Zurück zum Dashboard",
    wizard_back: "Zurück",
    wizard_next: "Weiter",
    wizard_submit: "Anfrage einreichen",
    wizard_step_welcome: "Willkommen",
    wizard_step_configure: "Konfigurieren",
    wizard_step_packages: "Pakete",
    wizard_step_secrets: "Geheimnisse",
    wizard_step_billing: "Rechnung",
    wizard_step_confirm: "Bestätigen",
    wizard_instance_label: "Instanzname (optional)",
    wizard_instance_label_hint: "Bis zu 80 Zeichen; erscheint in Ihrem Dashboard.",
    wizard_agent_name: "Name des Agenten",
    wizard_soul_md: "SOUL.md",
    wizard_soul_md_hint: "Wer Ihr Agent ist: Persönlichkeit und Ton. Markdown, bis zu 10.000 Zeichen.",
    wizard_agents_md: "AGENTS.md",
    wizard_agents_md_hint: "Wie Ihr Agent arbeitet: Aufgaben und Regeln. Markdown, bis zu 10.000 Zeichen.",
    wizard_packages_lead: "Wählen Sie, was Ihr Agent nutzen kann. Pakete lassen sich später ändern.",
    wizard_needs_secrets: "Benötigt Zugangsdaten",
    wizard_secrets_lead: "Diese Werte werden vor dem Speichern verschlüsselt; niemand auf der Plattform kann sie lesen.",
    wizard_secrets_nojs: "Füllen Sie nur die Felder der oben gewählten Pakete aus.",
    wizard_secret_entered: "Zugangsdaten erfasst",
    wizard_billing_company: "Firma",
    wizard_billing_street: "Strasse und Nummer",
    wizard_billing_postal_code: "Postleitzahl",
    wizard_billing_city: "Ort",
    wizard_billing_country: "Land",
    wizard_billing_notes: "Hinweise zur Rechnung (optional)",
    wizard_contact: "Kontakt",
    wizard_contact_name: "Name der Kontaktperson",
    wizard_contact_email: "E-Mail der Kontaktperson",
    wizard_confirm_nojs: "Prüfen Sie Ihre Angaben oben und reichen Sie die Anfrage dann ein.",
    nav_keys: "API-Schlüssel",
    keys_title: "API-Schlüssel",
    keys_lead: |org| {
        format!(
            "Mit Schlüsseln nutzen KI-Agenten und Skripte die API von {org}. Jeder Schlüssel handelt für das Mitglied, das ihn erstellt hat, im Rahmen seiner Berechtigungen."
        )
    },
    keys_read_only: "Inhaber und Administratoren erstellen, erneuern und widerrufen Schlüssel.",
    keys_name: "Name des Schlüssels",
    keys_write: "Änderungen erlauben (Schreibrecht)",
    keys_expiry: "Läuft ab",
    keys_expiry_never: "Nie",
    keys_expiry_days: |n| format!("In {n} Tagen"),
    keys_mint: "Schlüssel erstellen",
    keys_token_once: "Kopieren Sie dieses Token jetzt: Es wird nur einmal angezeigt und lässt sich nicht wiederherstellen.",
    keys_copy: "Kopieren",
    keys_copied: "Kopiert",
    keys_env_title: ".env für Ihren Agenten",
    keys_download_env: ".env herunterladen",
    keys_curl_title: "Ausprobieren",
    keys_download: "Herunterladen",
    keys_connect_title: "Agent verbinden",
    keys_connect_lead: "Diese MCP-Konfigurationen lesen den Schlüssel aus der Umgebungsvariable TENANTRY_API_KEY (aus der .env), sie enthalten also kein Geheimnis.",
    keys_connect_cli: "Oder mit der Kommandozeile von Claude Code hinzufügen:",
    keys_none: "Noch keine API-Schlüssel.",
    keys_col_name: "Name",
    keys_col_key: "Schlüssel",
    keys_col_scopes: "Rechte",
    keys_col_created: "Erstellt",
    keys_col_last_used: "Zuletzt genutzt",
    keys_col_expires: "Läuft ab",
    keys_col_status: "Status",
    keys_scope_read: "lesen",
    keys_scope_read_write: "lesen, schreiben",
    keys_status_active: "Aktiv",
    keys_status_revoked: "Widerrufen",
    keys_status_expired: "Abgelaufen",
    keys_revoke: "Widerrufen",
    keys_reroll: "Neues Token",
    keys_grace: "Das alte Token gilt noch",
    keys_grace_hours: |n| {
        if n == 0 {
            "Altes Token sofort ungültig".to_owned()
        } else {
            format!("Altes Token noch {n} h gültig")
        }
    },
    keys_never_used: "Nie",
};

/// Strings only the server uses; not compiled into the browser build.
#[cfg(feature = "ssr")]
pub static SERVER: super::ServerTexts = super::ServerTexts {
    mail_invite_subject: |inviter, org| format!("{inviter} hat Sie zu {org} eingeladen"),
    mail_invite_intro: |inviter, org, role| {
        format!("{inviter} hat Sie eingeladen, {org} auf Tenantry als {role} beizutreten.")
    },
    mail_invite_action: "Einladung annehmen",
    mail_invite_expiry: |days| match LANG.plural(days) {
        One => format!("Der Link funktioniert einmal und läuft in {days} Tag ab."),
        Other => format!("Der Link funktioniert einmal und läuft in {days} Tagen ab."),
    },
    mail_invite_ignore: "Wenn Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.",
    mail_request_approved_subject: |label| format!("Ihre Anfrage für {label} wurde genehmigt"),
    mail_request_approved_body: |label, org, name| {
        format!(
            "Gute Nachricht: Ihre Anfrage für {label} ({org}) wurde genehmigt. Die Instanz {name} wird eingerichtet; Ihr Dashboard zeigt den Fortschritt."
        )
    },
    mail_request_rejected_subject: |label| {
        format!("Ihre Anfrage für {label} wurde nicht genehmigt")
    },
    mail_request_rejected_body: |label, org| {
        format!("Ihre Anfrage für {label} ({org}) wurde nicht genehmigt.")
    },
    mail_request_note: "Notiz des Plattform-Teams:",
    mail_request_dashboard_action: "Dashboard öffnen",
    mail_request_new_subject: |org, label| format!("Neue Instanz-Anfrage von {org}: {label}"),
    mail_request_new_body: |requester, label, org| {
        format!(
            "{requester} hat die Instanz {label} für {org} angefragt. Sie wartet in der Admin-Warteschlange auf eine Entscheidung."
        )
    },
    mail_request_new_action: "Anfrage öffnen",
    mail_verify_subject: "Bestätigen Sie Ihre E-Mail-Adresse",
    mail_verify_body: |name| {
        format!(
            "Guten Tag {name}, bitte bestätigen Sie, dass dies Ihre E-Mail-Adresse ist, um die Einrichtung Ihres Kontos abzuschliessen."
        )
    },
    mail_verify_action: "E-Mail-Adresse bestätigen",
    mail_verify_expiry: |hours| match LANG.plural(hours) {
        One => format!("Der Link funktioniert einmal und läuft in {hours} Stunde ab."),
        Other => format!("Der Link funktioniert einmal und läuft in {hours} Stunden ab."),
    },
    mail_verify_ignore: "Falls Sie kein Konto angelegt haben, können Sie diese E-Mail ignorieren; ohne den Link geschieht nichts.",
    wizard_default_soul: |name| {
        format!(
            "# Seele\n\nDu bist der KI-Assistent von {name}. Du bist freundlich, präzise und ehrlich und sagst es, wenn du etwas nicht weisst.\n"
        )
    },
    wizard_default_agents: |name| {
        format!(
            "# Agenten\n\nDu arbeitest für {name}.\n\n- Beantworte Fragen zu {name} und seiner Arbeit.\n- Frage nach, bevor du im Namen anderer handelst.\n- Gib niemals Zugangsdaten oder persönliche Daten weiter.\n"
        )
    },
};
