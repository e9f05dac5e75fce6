//! Italian strings.
use super::{
    Lang,
    Plural::{One, Other},
    Texts,
};

const LANG: Lang = Lang::It;

pub static TEXTS: Texts = Texts {
    tagline: "Onboarding e pannello di controllo per il tuo servizio gestito",
    skip_to_content: "Vai al contenuto",
    nav_sign_in: "Accedi",
    nav_register: "Crea account",
    nav_dashboard: "Pannello",
    sign_out: "Esci",
    language: "Lingua",
    apply: "Applica",
    account_menu: "Account",
    signed_in_as: "Accesso come",
    platform_admin: "Admin della piattaforma",
    platform_operator: "Operatore della piattaforma",
    working: "In corso…",
    loading: "Caricamento…",

    home_title: "Il tuo servizio gestito, un unico portale",
    home_lead: "Registra la tua azienda o te stesso, richiedi un’istanza e gestisci membri, chiavi e consumi in un unico posto.",
    home_feature_onboard_title: "Onboarding guidato",
    home_feature_onboard_text: "Una breve procedura raccoglie tutto ciò che serve per configurare la tua istanza.",
    home_feature_approve_title: "Verificato e predisposto",
    home_feature_approve_text: "Il nostro team esamina ogni richiesta e la predispone con avanzamento in tempo reale.",
    home_feature_agents_title: "Pronto per gli agenti",
    home_feature_agents_text: "Chiavi API legate alla tua organizzazione danno ai tuoi agenti accesso alla REST API e a MCP.",
    home_go_dashboard: "Vai al pannello",

    register_title: "Crea il tuo account",
    register_lead: "Ci vuole un minuto. Nessun dato di pagamento richiesto.",
    account_type: "Tipo di account",
    account_company: "Azienda",
    account_company_hint: "Per un team; i colleghi potranno unirsi in seguito.",
    account_personal: "Personale",
    account_personal_hint: "Solo per te.",
    company_name: "Nome dell’azienda",
    given_name: "Nome",
    family_name: "Cognome",
    email: "E-mail",
    password: "Password",
    password_hint: "Almeno 10 caratteri.",
    preferred_language: "Lingua preferita",
    register_submit: "Crea account",
    have_account: "Hai già un account?",

    sign_in_title: "Accedi",
    sign_in_lead: "Bentornato.",
    sign_in_submit: "Accedi",
    no_account: "Sei nuovo?",

    dashboard_title: "Pannello",
    dashboard_welcome: |name| format!("Benvenuto, {name}"),
    dashboard_orgs: "Le tue organizzazioni",
    dashboard_no_orgs: "Non sei ancora membro di alcuna organizzazione.",
    col_organization: "Organizzazione",
    col_kind: "Tipo",
    col_role: "Il tuo ruolo",
    col_slug: "Identificativo",
    kind_company: "Azienda",
    kind_personal: "Personale",
    role_owner: "Proprietario",
    role_admin: "Admin",
    role_member: "Membro",
    role_viewer: "Osservatore",

    members_title: "Membri",
    members_lead: |org| format!("Le persone di {org} e cosa possono fare."),
    members_read_only: "Puoi vedere i membri; proprietari e admin li gestiscono.",
    col_name: "Nome",
    col_email: "E-mail",
    col_member_role: "Ruolo",
    col_joined: "Iscritto",
    col_last_active: "Ultima attività",
    col_actions: "Azioni",
    never: "mai",
    you: "tu",
    new_role: "Nuovo ruolo",
    change_role: "Cambia",
    remove_member: "Rimuovi",
    leave_organization: "Lascia l’organizzazione",
    nav_members: "Membri",

    platform_users_title: "Utenti",
    platform_users_lead: |total| format!("Tutti gli account della piattaforma, {total} in totale."),
    search_label: "Cerca per e-mail o nome",
    search: "Cerca",
    col_status: "Stato",
    col_platform_role: "Ruolo piattaforma",
    col_orgs: "Organizzazioni",
    status_active: "Attivo",
    status_suspended: "Sospeso",
    suspend: "Sospendi",
    activate: "Riattiva",
    role_none: "Nessuno",
    set_role: "Imposta",
    previous: "Precedente",
    next: "Successiva",
    page_of: |page, pages| format!("Pagina {page} di {pages}"),
    nav_users: "Utenti",

    settings_title: "Impostazioni dell’organizzazione",
    settings_lead: |org| format!("Nome e identificativo di {org}."),
    display_name: "Nome visualizzato",
    slug: "Identificativo",
    slug_hint: "Usato in indirizzi come /orgs/identificativo/members. Dopo una modifica il vecchio identificativo non funziona più.",
    save: "Salva",
    saved: "Salvato.",
    nav_settings: "Impostazioni",

    not_found_title: "Pagina non trovata",
    not_found_text: "La pagina che cerchi non esiste o è stata spostata.",
    back_home: "Torna alla pagina iniziale",

    err_unauthenticated: "Accedi per continuare.",
    err_forbidden: "Non sei autorizzato a farlo.",
    err_suspended: "Il tuo account è sospeso. Contatta l’assistenza.",
    err_not_found: "Non trovato.",
    err_invalid_credentials: "E-mail o password errati.",
    err_email_taken: "Esiste già un account con questa e-mail. Accedi invece.",
    err_slug_taken: "Un’altra organizzazione usa già questo identificativo.",
    err_duplicate_domain: |domain| {
        format!(
            "Un’azienda con il dominio e-mail {domain} è già registrata. Chiedi un invito al suo proprietario."
        )
    },
    err_invalid: "Correggi i campi evidenziati.",
    err_last_owner: "Un’organizzazione mantiene sempre almeno un proprietario. Nomina prima un’altra persona proprietario.",
    err_role_not_allowed: "Questa modifica non è consentita: solo i proprietari assegnano o revocano il ruolo di proprietario, gli admin gestiscono admin, membri e osservatori, e nessuno può alzare il proprio ruolo.",
    err_own_account: "Non puoi farlo sul tuo account.",
    err_last_platform_admin: "La piattaforma mantiene sempre almeno un admin della piattaforma. Nomina prima un’altra persona.",
    err_bad_request: "Impossibile interpretare la richiesta.",
    err_payload_too_large: "I dati inviati sono troppo grandi.",
    err_rate_limited: "Troppi tentativi. Attendi un po’ e riprova.",
    err_cross_site: "Questa richiesta proveniva da un altro sito ed è stata rifiutata.",
    err_internal: "Qualcosa è andato storto da parte nostra. Riprova più tardi.",
    err_network: "Impossibile raggiungere il server. Controlla la connessione e riprova.",

    problem_required: "Questo campo è obbligatorio.",
    problem_too_short: |min| match LANG.plural(min) {
        One => format!("Almeno {min} carattere."),
        Other => format!("Almeno {min} caratteri."),
    },
    problem_too_long: |max| match LANG.plural(max) {
        One => format!("Al massimo {max} carattere."),
        Other => format!("Al massimo {max} caratteri."),
    },
    problem_invalid_email: "Inserisci un indirizzo e-mail valido.",
    problem_invalid_choice: "Scegli una delle opzioni proposte.",
    problem_invalid_characters: "Questo campo contiene caratteri non consentiti.",
    problem_invalid_slug: "Usa da 3 a 63 lettere minuscole, cifre e trattini, iniziando e finendo con una lettera o una cifra. Alcune parole sono riservate.",
    invite_title: "Invita qualcuno",
    invite_lead: |days| match LANG.plural(days) {
        One => format!(
            "La persona riceve un'email con un link utilizzabile una volta, valido {days} giorno."
        ),
        Other => format!(
            "La persona riceve un'email con un link utilizzabile una volta, valido {days} giorni."
        ),
    },
    invite_role: "Ruolo",
    invite_language: "Lingua dell'email",
    invite_submit: "Invia invito",
    invite_sent: |email| format!("Invito inviato a {email}."),
    invite_not_delivered: |email, error| {
        format!(
            "L'invito a {email} è stato salvato, ma l'email non è stata recapitata: {error}. Riprova più tardi con «Invia di nuovo»."
        )
    },
    pending_invitations: "Inviti in sospeso",
    no_pending_invitations: "Nessun invito in sospeso.",
    col_invited_by: "Invitato da",
    col_expires: "Scade",
    col_delivery: "Email",
    delivery_sent: "Recapitata",
    delivery_sending: "Invio…",
    delivery_failed: "Non recapitata",
    expired: "scaduto",
    resend: "Invia di nuovo",
    revoke: "Revoca",
    accept_title: |org| format!("Unisciti a {org}"),
    accept_lead: |inviter, email, role| {
        format!("{inviter} ha invitato {email} a unirsi come {role}.")
    },
    accept_submit: "Accetta e unisciti",
    accept_new_lead: |email| {
        format!("Crea il tuo account per accettare. Il tuo indirizzo email è {email}.")
    },
    accept_sign_in_lead: |email| format!("Esiste un account con {email}. Accedi per accettare."),
    accept_wrong_account: |current, email| {
        format!(
            "Hai effettuato l'accesso come {current}, ma questo invito è per {email}. Esci e accedi con quell'account."
        )
    },
    accept_create_submit: "Crea l'account e unisciti",
    or_continue_with: "oppure continua con",
    err_invitation_invalid: "Questo link di invito non è valido. Chiedi un nuovo invito.",
    err_invitation_expired: "Questo invito è scaduto. Chiedi un nuovo invito.",
    err_invitation_used: "Questo invito è già stato usato.",
    err_invitation_wrong_account: |email| {
        format!("Questo invito è per {email}. Esci e accedi con quell'account.")
    },
    err_already_member: "Questa persona è già membro dell'organizzazione.",
    nav_switch_org: "Cambia organizzazione",
    err_oidc_unknown_issuer: "Questo provider di accesso non è configurato.",
    err_oidc_state: "L'accesso non corrisponde a questo browser o ha richiesto troppo tempo. Ricomincia.",
    err_oidc_denied: "Il provider di accesso non ha consentito l'accesso.",
    err_oidc_token: "Non è stato possibile verificare la risposta del provider di accesso. Ricomincia.",
    err_oidc_email_unverified: "Il provider di accesso non ha confermato il tuo indirizzo email, quindi non possiamo usarlo.",
    err_oidc_unavailable: "Il provider di accesso non è raggiungibile in questo momento. Riprova più tardi.",
    err_email_unverified: "Conferma prima il tuo indirizzo email: apri il link che ti abbiamo inviato.",
    err_verification_invalid: "Questo link di conferma non è più valido. Accedi per riceverne uno nuovo.",
    err_oidc_link_refused: "Esiste già un account con questo indirizzo email. Accedi con la tua password; questo provider non può esservi collegato automaticamente.",
    confirm_title: "Conferma il tuo indirizzo email",
    confirm_lead: |email| {
        format!(
            "Abbiamo inviato un link a {email}. Aprilo per completare la configurazione del tuo account."
        )
    },
    confirm_resend: "Invia di nuovo il link",
    confirm_resent: "Un nuovo link è in arrivo. Sostituisce i precedenti.",
    confirm_wrong_address: "Indirizzo sbagliato? Esci e registrati di nuovo.",
    confirm_done: "Il tuo indirizzo email è confermato.",
    confirm_to_dashboard: "Vai alla dashboard",
    confirm_signed_out: "Accedi per ricevere un nuovo link di conferma.",
    sign_in_with: |name| format!("Accedi con {name}"),
    err_conflict: "Qualcun altro ha modificato questo nello stesso momento. Ricarica la pagina e riprova.",
    err_invalid_api_key: "Questa chiave API non è valida: malformata, sconosciuta, revocata o scaduta.",
    problem_invalid_date: "Inserisci una data nel formato AAAA-MM-GG.",
    audit_title: "Registro di audit",
    audit_lead_org: |org| format!("Tutto ciò che è successo in {org}, dal più recente."),
    audit_lead_all: |total| {
        format!("Tutti gli eventi della piattaforma, dal più recente: {total} in totale.")
    },
    audit_total: |total| match LANG.plural(total) {
        One => format!("{total} evento corrisponde."),
        Other => format!("{total} eventi corrispondono."),
    },
    audit_actor: "Autore (email o nome)",
    audit_action: "Azione",
    audit_any_action: "Qualsiasi azione",
    audit_from: "Dal",
    audit_to: "Al",
    audit_filter: "Filtra",
    audit_export: "Esporta CSV",
    audit_empty: "Nessun evento corrisponde.",
    col_time: "Ora (UTC)",
    col_actor: "Autore",
    col_target: "Destinazione",
    col_address: "Indirizzo",
    col_outcome: "Esito",
    outcome_success: "riuscito",
    outcome_failure: "fallito",
    outcome_denied: "negato",
    nav_audit: "Registro di audit",
    system: "sistema",
    err_secrets_not_configured: "L'archiviazione dei segreti non è ancora configurata su questo portale. Contatta l'assistenza.",
    err_usage_not_configured: "L'utilizzo non è configurato su questo portale: viene letto da LiteLLM, che non è attivo.",
    err_usage_unavailable: "Non è stato possibile leggere l'utilizzo da LiteLLM in questo momento. Riprova più tardi.",
    queue_title: "Richieste di istanza",
    queue_lead: |total| match LANG.plural(total) {
        One => format!("{total} richiesta corrisponde; dalle più vecchie."),
        Other => format!("{total} richieste corrispondono; dalle più vecchie."),
    },
    queue_search: "Cerca per organizzazione o contatto",
    queue_status: "Stato",
    queue_all: "Tutte (in sospeso prima)",
    queue_empty: "Nessuna richiesta corrisponde.",
    col_contact: "Contatto",
    col_requested: "Richiesta",
    request_status_pending: "In sospeso",
    request_status_approved: "Approvata",
    request_status_provisioning: "In preparazione",
    request_status_active: "Attiva",
    request_status_rejected: "Rifiutata",
    request_status_deleted: "Eliminata",
    note_optional: "Nota (facoltativa)",
    note_required: "Motivo (inviato al richiedente)",
    approve: "Approva",
    reject: "Rifiuta",
    approved_as: |name| format!("Approvata: istanza {name} creata."),
    nav_requests: "Richieste",
    col_instance: "Istanza",
    col_note: "Nota",
    col_packages: "Pacchetti",
    col_phase: "Fase",
    create_instance: "Crea nuova istanza",
    dashboard_instances: "Istanze",
    dashboard_no_instances: "Ancora nessuna istanza.",
    dashboard_no_requests: "Nessuna richiesta aperta.",
    dashboard_requests: "Richieste",
    live_on: "● In diretta",
    phase_pending: "In attesa",
    phase_provisioning: "In preparazione",
    phase_ready: "Pronta",
    phase_error: "Errore",
    phase_suspended: "Sospesa",
    phase_deleting: "In eliminazione",
    phase_deleted: "Eliminata",
    steps_title: "Passaggi di attivazione",
    step_webhook_approved: "Annunciare l'approvazione",
    step_litellm_team: "Budget IA dell'organizzazione",
    step_litellm_key: "Chiave di accesso IA dell'istanza",
    step_webhook_provisioned: "Annunciare che è pronta",
    step_litellm_key_remove: "Rimuovere la chiave di accesso IA dell'istanza",
    step_litellm_team_remove: "Rimuovere il budget IA dell'organizzazione quando nessuna istanza lo usa",
    step_webhook_deprovisioned: "Annunciare la rimozione",
    step_status_pending: "In attesa",
    step_status_running: "In corso",
    step_status_ok: "Completato",
    step_status_skipped: "Saltato",
    step_status_error: "Non riuscito",
    step_failed_generic: "Questo passaggio non è riuscito. Il nostro team è stato avvisato e lo ripeterà.",
    step_attempts: |n| format!("Tentativi: {n}"),
    retry_failed_steps: "Riprova i passaggi non riusciti",
    reconcile: "Riconcilia",
    deprovision: "Dismetti",
    retry_step: |step| format!("Riprova «{step}»"),
    staff_actions: "Azioni del team",
    problem_invalid_host: "Inserisci un nome host come mail.example.com.",
    problem_invalid_port: "Inserisci una porta tra 1 e 65535.",
    queue_back: "← Torna alla coda",
    request_decided: "Decisa",
    request_secrets_stored: "Segreti salvati (valori nascosti)",
    request_submitted: "La tua richiesta è stata inviata. Un amministratore della piattaforma la esaminerà; questa pagina si aggiorna da sola.",
    wizard_title: "Richiedi una nuova istanza",
    wizard_welcome: |org| {
        format!(
            "Configura in pochi passi un'istanza di agente IA per {org}. Un amministratore della piattaforma esamina ogni richiesta prima della creazione."
        )
    },
    wizard_ask_owner: |org| {
        format!(
            "Solo i proprietari di {org} possono richiedere nuove istanze. Rivolgiti a un proprietario:"
        )
    },
    wizard_back_to_dashboard: "Torna alla dashboard",
    wizard_back: "Indietro",
    wizard_next: "Avanti",
    wizard_submit: "Invia richiesta",
    wizard_step_welcome: "Benvenuto",
    wizard_step_configure: "Configura",
    wizard_step_packages: "Pacchetti",
    wizard_step_secrets: "Segreti",
    wizard_step_billing: "Fatturazione",
    wizard_step_confirm: "Conferma",
    wizard_instance_label: "Nome dell'istanza (facoltativo)",
    wizard_instance_label_hint: "Fino a 80 caratteri; mostrato nella tua dashboard.",
    wizard_agent_name: "Nome dell'agente",
    wizard_soul_md: "SOUL.md",
    wizard_soul_md_hint: "Chi è il tuo agente: personalità e tono. Markdown, fino a 10.000 caratteri.",
    wizard_agents_md: "AGENTS.md",
    wizard_agents_md_hint: "Come lavora il tuo agente: compiti e regole. Markdown, fino a 10.000 caratteri.",
    wizard_packages_lead: "Scegli cosa può usare il tuo agente. Potrai cambiare i pacchetti in seguito.",
    wizard_needs_secrets: "Richiede dati di accesso",
    wizard_secrets_lead: "Questi valori vengono cifrati prima del salvataggio; nessuno sulla piattaforma può leggerli.",
    wizard_secrets_nojs: "Compila solo i campi dei pacchetti scelti sopra.",
    wizard_secret_entered: "dati di accesso inseriti",
    wizard_billing_company: "Azienda",
    wizard_billing_street: "Via e numero",
    wizard_billing_postal_code: "CAP",
    wizard_billing_city: "Città",
    wizard_billing_country: "Paese",
    wizard_billing_notes: "Note di fatturazione (facoltative)",
    wizard_contact: "Contatto",
    wizard_contact_name: "Nome del contatto",
    wizard_contact_email: "Email del contatto",
    wizard_confirm_nojs: "Controlla i dati inseriti sopra, poi invia la richiesta.",
    nav_keys: "Chiavi API",
    keys_title: "Chiavi API",
    keys_lead: |org| {
        format!(
            "Le chiavi permettono ad agenti IA e script di usare l'API di {org}. Ogni chiave agisce per il membro che l'ha creata, entro i suoi permessi."
        )
    },
    keys_read_only: "Proprietari e amministratori creano, rinnovano e revocano le chiavi.",
    keys_name: "Nome della chiave",
    keys_write: "Consenti modifiche (permesso di scrittura)",
    keys_expiry: "Scade",
    keys_expiry_never: "Mai",
    keys_expiry_days: |n| format!("Tra {n} giorni"),
    keys_mint: "Crea chiave",
    keys_token_once: "Copia ora questo token: viene mostrato una sola volta e non può essere recuperato.",
    keys_copy: "Copia",
    keys_copied: "Copiato",
    keys_env_title: ".env per il tuo agente",
    keys_download_env: "Scarica .env",
    keys_curl_title: "Provala",
    keys_download: "Scarica",
    keys_connect_title: "Collega il tuo agente",
    keys_connect_lead: "Queste configurazioni MCP leggono la chiave dalla variabile d'ambiente TENANTRY_API_KEY (dal file .env), quindi non contengono alcun segreto.",
    keys_connect_cli: "Oppure aggiungilo con la riga di comando di Claude Code:",
    keys_none: "Ancora nessuna chiave API.",
    docs_title: "Riferimento API",
    docs_lead: "L'API REST consente ad agenti e script di leggere le istanze della tua organizzazione, il loro provisioning e il loro consumo, richiedere nuove istanze e leggere il registro di audit, con una chiave API dalla pagina delle chiavi dell'organizzazione.",
    docs_base_url: "URL di base:",
    docs_auth: "Invia la chiave in ogni richiesta come Authorization: Bearer tny_… . Una chiave raggiunge solo la propria organizzazione e agisce con il ruolo di chi l'ha creata; le chiavi di sola lettura non possono scrivere.",
    docs_errors: "Gli errori sono JSON {code, message}: code è stabile, message è nella lingua di Accept-Language.",
    docs_document: "Il documento OpenAPI (JSON)",
    docs_tag_organization: "Organizzazione",
    docs_tag_instances: "Istanze",
    docs_tag_requests: "Richieste di istanza",
    docs_tag_audit: "Registro di audit",
    docs_schemas: "Schemi",
    docs_schemas_note: "Le note dei campi provengono dal documento, in inglese.",
    docs_parameters: "Parametri",
    docs_request_body: "Corpo della richiesta",
    docs_responses: "Risposte",
    docs_required: "obbligatorio",
    docs_optional: "facoltativo",
    docs_values: "Uno tra:",
    docs_one_of: "Una di queste forme:",
    docs_op_get_organization: "L'organizzazione della chiave, con il ruolo con cui agisce e i suoi ambiti.",
    docs_op_list_instances: "Le istanze dell'organizzazione, dalla più recente, ognuna con la sua fase e i passi di provisioning; passa next_cursor come cursor per la pagina successiva.",
    docs_op_get_instance: "Un'istanza con stato, tentativi e orari di ogni passo di provisioning.",
    docs_op_get_usage: "Il consumo di un'istanza questo mese: spesa in dollari USA, token e richieste, da LiteLLM.",
    docs_op_create_instance_request: "Richiedere una nuova istanza con i campi della procedura guidata; lo staff della piattaforma la esamina prima del provisioning. Richiede una chiave di scrittura di un proprietario; i segreti sono sigillati e mai restituiti.",
    docs_op_list_audit_events: "Il registro di audit dell'organizzazione, dal più recente, 50 eventi per pagina, per le chiavi di proprietari e amministratori.",
    docs_status_200: "Successo.",
    docs_status_201: "Creato.",
    docs_status_400: "Richiesta malformata (bad_request).",
    docs_status_401: "Nessuna chiave API valida (invalid_api_key).",
    docs_status_403: "Non consentito per questa chiave o questo ruolo (forbidden).",
    docs_status_404: "Non trovato nell'organizzazione della chiave (not_found).",
    docs_status_409: "Conflitto con lo stato attuale (ad es. usage_not_configured).",
    docs_status_413: "Corpo della richiesta troppo grande.",
    docs_status_422: "Input non valido, con ogni campo e il motivo (invalid).",
    docs_status_429: "Troppi tentativi; attendi Retry-After secondi.",
    docs_status_502: "Un sistema a monte non ha potuto essere interrogato.",
    docs_status_503: "Non disponibile su questo portale al momento.",
    keys_api_docs: "Riferimento API",
    keys_col_name: "Nome",
    keys_col_key: "Chiave",
    keys_col_scopes: "Permessi",
    keys_col_created: "Creata",
    keys_col_last_used: "Ultimo uso",
    keys_col_expires: "Scade",
    keys_col_status: "Stato",
    keys_scope_read: "lettura",
    keys_scope_read_write: "lettura, scrittura",
    keys_status_active: "Attiva",
    keys_status_revoked: "Revocata",
    keys_status_expired: "Scaduta",
    keys_revoke: "Revoca",
    keys_reroll: "Nuovo token",
    keys_grace: "Il vecchio token resta valido per",
    keys_grace_hours: |n| {
        if n == 0 {
            "Vecchio token subito non valido".to_owned()
        } else {
            format!("Vecchio token valido ancora {n} h")
        }
    },
    keys_never_used: "Mai",
};

/// Strings only the server uses; not compiled into the browser build.
#[cfg(feature = "ssr")]
pub static SERVER: super::ServerTexts = super::ServerTexts {
    mail_invite_subject: |inviter, org| format!("{inviter} ti ha invitato in {org}"),
    mail_invite_intro: |inviter, org, role| {
        format!("{inviter} ti ha invitato a unirti a {org} su Tenantry come {role}.")
    },
    mail_invite_action: "Accetta l'invito",
    mail_invite_expiry: |days| match LANG.plural(days) {
        One => format!("Il link funziona una sola volta e scade tra {days} giorno."),
        Other => format!("Il link funziona una sola volta e scade tra {days} giorni."),
    },
    mail_invite_ignore: "Se non ti aspettavi questo invito, puoi ignorare questa email.",
    mail_request_approved_subject: |label| {
        format!("La tua richiesta per {label} è stata approvata")
    },
    mail_request_approved_body: |label, org, name| {
        format!(
            "Buone notizie: la tua richiesta per {label} ({org}) è stata approvata. L'istanza {name} è in preparazione; la tua dashboard ne mostra l'avanzamento."
        )
    },
    mail_request_rejected_subject: |label| {
        format!("La tua richiesta per {label} non è stata approvata")
    },
    mail_request_rejected_body: |label, org| {
        format!("La tua richiesta per {label} ({org}) non è stata approvata.")
    },
    mail_request_note: "Nota del team della piattaforma:",
    mail_request_dashboard_action: "Apri la tua dashboard",
    mail_request_new_subject: |org, label| format!("Nuova richiesta di istanza da {org}: {label}"),
    mail_request_new_body: |requester, label, org| {
        format!(
            "{requester} ha richiesto l'istanza {label} per {org}. Attende una decisione nella coda di amministrazione."
        )
    },
    mail_request_new_action: "Apri la richiesta",
    mail_verify_subject: "Conferma il tuo indirizzo email",
    mail_verify_body: |name| {
        format!(
            "Ciao {name}, conferma che questo è il tuo indirizzo email per completare la configurazione del tuo account."
        )
    },
    mail_verify_action: "Conferma il mio indirizzo email",
    mail_verify_expiry: |hours| match LANG.plural(hours) {
        One => format!("Il link funziona una sola volta e scade tra {hours} ora."),
        Other => format!("Il link funziona una sola volta e scade tra {hours} ore."),
    },
    mail_verify_ignore: "Se non hai creato un account, puoi ignorare questa email; senza il link non succede nulla.",
    wizard_default_soul: |name| {
        format!(
            "# Anima\n\nSei l'assistente IA di {name}. Sei cordiale, preciso e onesto, e lo dici quando non sai qualcosa.\n"
        )
    },
    wizard_default_agents: |name| {
        format!(
            "# Agenti\n\nLavori per {name}.\n\n- Rispondi alle domande su {name} e sul suo lavoro.\n- Chiedi prima di agire per conto di qualcuno.\n- Non condividere mai credenziali o dati personali.\n"
        )
    },
};
