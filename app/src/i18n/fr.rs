//! French strings.
use super::{
    Lang,
    Plural::{One, Other},
    Texts,
};

const LANG: Lang = Lang::Fr;

pub static TEXTS: Texts = Texts {
    tagline: "Accueil et pilotage de votre service géré",
    skip_to_content: "Aller au contenu",
    nav_sign_in: "Se connecter",
    nav_register: "Créer un compte",
    nav_dashboard: "Tableau de bord",
    sign_out: "Se déconnecter",
    language: "Langue",
    apply: "Appliquer",
    account_menu: "Compte",
    signed_in_as: "Connecté en tant que",
    platform_admin: "Admin de la plateforme",
    platform_operator: "Opérateur de la plateforme",
    working: "En cours…",
    loading: "Chargement…",

    home_title: "Votre service géré, un seul portail",
    home_lead: "Inscrivez votre entreprise ou vous-même, demandez une instance et gérez membres, clés et consommation au même endroit.",
    home_feature_onboard_title: "Accueil guidé",
    home_feature_onboard_text: "Un court assistant recueille tout ce qu’il faut pour mettre en place votre instance.",
    home_feature_approve_title: "Vérifié et provisionné",
    home_feature_approve_text: "Notre équipe examine chaque demande et la provisionne avec un suivi en direct.",
    home_feature_agents_title: "Prêt pour les agents",
    home_feature_agents_text: "Des clés d’API limitées à votre organisation donnent à vos agents l’accès à l’API REST et à MCP.",
    home_go_dashboard: "Aller au tableau de bord",

    register_title: "Créer votre compte",
    register_lead: "Une minute suffit. Aucune donnée de paiement requise.",
    account_type: "Type de compte",
    account_company: "Entreprise",
    account_company_hint: "Pour une équipe ; vos collègues pourront vous rejoindre.",
    account_personal: "Personnel",
    account_personal_hint: "Pour vous seul.",
    company_name: "Nom de l’entreprise",
    given_name: "Prénom",
    family_name: "Nom",
    email: "E-mail",
    password: "Mot de passe",
    password_hint: "Au moins 10 caractères.",
    preferred_language: "Langue préférée",
    register_submit: "Créer le compte",
    have_account: "Vous avez déjà un compte ?",

    sign_in_title: "Connexion",
    sign_in_lead: "Bon retour parmi nous.",
    sign_in_submit: "Se connecter",
    no_account: "Nouveau ici ?",

    dashboard_title: "Tableau de bord",
    dashboard_welcome: |name| format!("Bienvenue, {name}"),
    dashboard_orgs: "Vos organisations",
    dashboard_no_orgs: "Vous n’êtes encore membre d’aucune organisation.",
    col_organization: "Organisation",
    col_kind: "Type",
    col_role: "Votre rôle",
    col_slug: "Identifiant",
    kind_company: "Entreprise",
    kind_personal: "Personnel",
    role_owner: "Propriétaire",
    role_admin: "Admin",
    role_member: "Membre",
    role_viewer: "Lecteur",

    members_title: "Membres",
    members_lead: |org| format!("Les personnes de {org} et ce qu’elles peuvent faire."),
    members_read_only: "Vous voyez les membres ; les propriétaires et les admins les gèrent.",
    col_name: "Nom",
    col_email: "E-mail",
    col_member_role: "Rôle",
    col_joined: "Arrivée",
    col_last_active: "Dernière activité",
    col_actions: "Actions",
    never: "jamais",
    you: "vous",
    new_role: "Nouveau rôle",
    change_role: "Modifier",
    remove_member: "Retirer",
    leave_organization: "Quitter l’organisation",
    nav_members: "Membres",

    platform_users_title: "Utilisateurs",
    platform_users_lead: |total| format!("Tous les comptes de la plateforme, {total} au total."),
    search_label: "Rechercher par e-mail ou nom",
    search: "Rechercher",
    col_status: "Statut",
    col_platform_role: "Rôle plateforme",
    col_orgs: "Organisations",
    status_active: "Actif",
    status_suspended: "Suspendu",
    suspend: "Suspendre",
    activate: "Réactiver",
    role_none: "Aucun",
    set_role: "Appliquer",
    previous: "Précédent",
    next: "Suivant",
    page_of: |page, pages| format!("Page {page} sur {pages}"),
    nav_users: "Utilisateurs",

    settings_title: "Paramètres de l’organisation",
    settings_lead: |org| format!("Nom et identifiant de {org}."),
    display_name: "Nom affiché",
    slug: "Identifiant",
    slug_hint: "Utilisé dans des adresses comme /orgs/identifiant/members. Après un changement, l’ancien identifiant ne fonctionne plus.",
    save: "Enregistrer",
    saved: "Enregistré.",
    nav_settings: "Paramètres",

    not_found_title: "Page introuvable",
    not_found_text: "La page demandée n’existe pas ou a été déplacée.",
    back_home: "Retour à l’accueil",

    err_unauthenticated: "Veuillez vous connecter pour continuer.",
    err_forbidden: "Vous n’êtes pas autorisé à faire cela.",
    err_suspended: "Votre compte est suspendu. Veuillez contacter le support.",
    err_not_found: "Introuvable.",
    err_invalid_credentials: "L’e-mail ou le mot de passe est incorrect.",
    err_email_taken: "Un compte existe déjà avec cet e-mail. Veuillez vous connecter.",
    err_slug_taken: "Une autre organisation utilise déjà cet identifiant.",
    err_duplicate_domain: |domain| {
        format!(
            "Une entreprise avec le domaine e-mail {domain} est déjà inscrite. Demandez une invitation à son propriétaire."
        )
    },
    err_invalid: "Veuillez corriger les champs signalés.",
    err_last_owner: "Une organisation garde toujours au moins un propriétaire. Nommez d’abord quelqu’un d’autre propriétaire.",
    err_role_not_allowed: "Cette modification n’est pas permise : seuls les propriétaires attribuent ou retirent le rôle de propriétaire, les admins gèrent admins, membres et lecteurs, et personne n’élève son propre rôle.",
    err_own_account: "Vous ne pouvez pas faire cela sur votre propre compte.",
    err_last_platform_admin: "La plateforme garde toujours au moins un admin de plateforme. Nommez d’abord quelqu’un d’autre.",
    err_bad_request: "La requête n’a pas pu être comprise.",
    err_payload_too_large: "Les données envoyées sont trop volumineuses.",
    err_rate_limited: "Trop de tentatives. Veuillez patienter un moment avant de réessayer.",
    err_cross_site: "Cette requête provenait d’un autre site et a été refusée.",
    err_internal: "Un problème est survenu de notre côté. Veuillez réessayer plus tard.",
    err_network: "Le serveur est injoignable. Vérifiez votre connexion et réessayez.",

    problem_required: "Ce champ est obligatoire.",
    problem_too_short: |min| match LANG.plural(min) {
        One => format!("Au moins {min} caractère."),
        Other => format!("Au moins {min} caractères."),
    },
    problem_too_long: |max| match LANG.plural(max) {
        One => format!("Au plus {max} caractère."),
        Other => format!("Au plus {max} caractères."),
    },
    problem_invalid_email: "Saisissez une adresse e-mail valide.",
    problem_invalid_choice: "Choisissez l’une des options proposées.",
    problem_invalid_characters: "Ce champ contient des caractères non autorisés.",
    problem_invalid_slug: "Utilisez 3 à 63 lettres minuscules, chiffres et tirets, en commençant et finissant par une lettre ou un chiffre. Certains mots sont réservés.",
    invite_title: "Inviter quelqu'un",
    invite_lead: |days| match LANG.plural(days) {
        One => format!(
            "La personne reçoit un e-mail avec un lien utilisable une fois, valable {days} jour."
        ),
        Other => format!(
            "La personne reçoit un e-mail avec un lien utilisable une fois, valable {days} jours."
        ),
    },
    invite_role: "Rôle",
    invite_language: "Langue de l'e-mail",
    invite_submit: "Envoyer l'invitation",
    invite_sent: |email| format!("Invitation envoyée à {email}."),
    invite_not_delivered: |email, error| {
        format!(
            "L'invitation à {email} est enregistrée, mais l'e-mail n'a pas pu être remis : {error}. Réessayez plus tard avec « Renvoyer »."
        )
    },
    pending_invitations: "Invitations en attente",
    no_pending_invitations: "Aucune invitation en attente.",
    col_invited_by: "Invité par",
    col_expires: "Expire",
    col_delivery: "E-mail",
    delivery_sent: "Remis",
    delivery_sending: "Envoi…",
    delivery_failed: "Non remis",
    expired: "expirée",
    resend: "Renvoyer",
    revoke: "Révoquer",
    accept_title: |org| format!("Rejoindre {org}"),
    accept_lead: |inviter, email, role| {
        format!("{inviter} a invité {email} à rejoindre en tant que {role}.")
    },
    accept_submit: "Accepter et rejoindre",
    accept_new_lead: |email| {
        format!("Créez votre compte pour accepter. Votre adresse e-mail est {email}.")
    },
    accept_sign_in_lead: |email| {
        format!("Un compte avec {email} existe. Connectez-vous pour accepter.")
    },
    accept_wrong_account: |current, email| {
        format!(
            "Vous êtes connecté en tant que {current}, mais cette invitation est destinée à {email}. Déconnectez-vous et connectez-vous avec ce compte."
        )
    },
    accept_create_submit: "Créer le compte et rejoindre",
    or_continue_with: "ou continuer avec",
    err_invitation_invalid: "Ce lien d'invitation n'est pas valide. Demandez une nouvelle invitation.",
    err_invitation_expired: "Cette invitation a expiré. Demandez une nouvelle invitation.",
    err_invitation_used: "Cette invitation a déjà été utilisée.",
    err_invitation_wrong_account: |email| {
        format!(
            "Cette invitation est destinée à {email}. Déconnectez-vous et connectez-vous avec ce compte."
        )
    },
    err_already_member: "Cette personne est déjà membre de l'organisation.",
    nav_switch_org: "Changer d'organisation",
    err_oidc_unknown_issuer: "Ce fournisseur de connexion n'est pas configuré.",
    err_oidc_state: "La connexion ne correspond pas à ce navigateur ou a pris trop de temps. Veuillez recommencer.",
    err_oidc_denied: "Le fournisseur de connexion a refusé la connexion.",
    err_oidc_token: "La réponse du fournisseur de connexion n'a pas pu être vérifiée. Veuillez recommencer.",
    err_oidc_email_unverified: "Le fournisseur de connexion n'a pas confirmé votre adresse e-mail ; nous ne pouvons pas l'utiliser.",
    err_oidc_unavailable: "Le fournisseur de connexion est injoignable pour le moment. Réessayez plus tard.",
    err_email_unverified: "Veuillez d'abord confirmer votre adresse e-mail : ouvrez le lien que nous vous avons envoyé.",
    err_verification_invalid: "Ce lien de confirmation n'est plus valable. Connectez-vous pour en recevoir un nouveau.",
    err_oidc_link_refused: "Un compte existe déjà avec cette adresse e-mail. Connectez-vous avec votre mot de passe ; ce fournisseur ne peut pas y être lié automatiquement.",
    confirm_title: "Confirmez votre adresse e-mail",
    confirm_lead: |email| {
        format!(
            "Nous avons envoyé un lien à {email}. Ouvrez-le pour terminer la création de votre compte."
        )
    },
    confirm_resend: "Renvoyer le lien",
    confirm_resent: "Un nouveau lien est en route. Il remplace les précédents.",
    confirm_wrong_address: "Mauvaise adresse ? Déconnectez-vous et inscrivez-vous à nouveau.",
    confirm_done: "Votre adresse e-mail est confirmée.",
    confirm_to_dashboard: "Aller au tableau de bord",
    confirm_signed_out: "Connectez-vous pour recevoir un nouveau lien de confirmation.",
    sign_in_with: |name| format!("Se connecter avec {name}"),
    err_conflict: "Quelqu'un d'autre a modifié cela au même moment. Rechargez la page et réessayez.",
    err_invalid_api_key: "Cette clé d'API n'est pas valable : mal formée, inconnue, révoquée ou expirée.",
    problem_invalid_date: "Saisissez une date au format AAAA-MM-JJ.",
    audit_title: "Journal d'audit",
    audit_lead_org: |org| format!("Tout ce qui s'est passé dans {org}, le plus récent d'abord."),
    audit_lead_all: |total| {
        format!(
            "Tous les événements de la plateforme, du plus récent au plus ancien : {total} au total."
        )
    },
    audit_total: |total| match LANG.plural(total) {
        One => format!("{total} événement correspond."),
        Other => format!("{total} événements correspondent."),
    },
    audit_actor: "Acteur (e-mail ou nom)",
    audit_action: "Action",
    audit_any_action: "Toute action",
    audit_from: "Du",
    audit_to: "Au",
    audit_filter: "Filtrer",
    audit_export: "Exporter en CSV",
    audit_empty: "Aucun événement ne correspond.",
    col_time: "Heure (UTC)",
    col_actor: "Acteur",
    col_target: "Cible",
    col_address: "Adresse",
    col_outcome: "Résultat",
    outcome_success: "réussi",
    outcome_failure: "échec",
    outcome_denied: "refusé",
    nav_audit: "Journal d'audit",
    system: "système",
    err_secrets_not_configured: "Le stockage des secrets n'est pas encore configuré sur ce portail. Veuillez contacter le support.",
    err_usage_not_configured: "L'utilisation n'est pas configurée sur ce portail : elle est lue dans LiteLLM, qui n'est pas activé.",
    err_usage_unavailable: "L'utilisation n'a pas pu être lue dans LiteLLM pour le moment. Veuillez réessayer plus tard.",
    queue_title: "Demandes d'instance",
    queue_lead: |total| match LANG.plural(total) {
        One => format!("{total} demande correspond ; les plus anciennes d'abord."),
        Other => format!("{total} demandes correspondent ; les plus anciennes d'abord."),
    },
    queue_search: "Rechercher par organisation ou contact",
    queue_status: "Statut",
    queue_all: "Toutes (en attente d'abord)",
    queue_empty: "Aucune demande ne correspond.",
    col_contact: "Contact",
    col_requested: "Demandée",
    request_status_pending: "En attente",
    request_status_approved: "Approuvée",
    request_status_provisioning: "En cours de mise en place",
    request_status_active: "Active",
    request_status_rejected: "Refusée",
    request_status_deleted: "Supprimée",
    note_optional: "Note (facultative)",
    note_required: "Motif (envoyé au demandeur)",
    approve: "Approuver",
    reject: "Refuser",
    approved_as: |name| format!("Approuvée : instance {name} créée."),
    nav_requests: "Demandes",
    col_instance: "Instance",
    col_note: "Note",
    col_packages: "Paquets",
    col_phase: "Phase",
    create_instance: "Créer une instance",
    dashboard_instances: "Instances",
    dashboard_no_instances: "Aucune instance pour l'instant.",
    dashboard_no_requests: "Aucune demande en cours.",
    dashboard_requests: "Demandes",
    live_on: "● En direct",
    phase_pending: "En attente",
    phase_provisioning: "En préparation",
    phase_ready: "Prête",
    phase_error: "Erreur",
    phase_suspended: "Suspendue",
    phase_deleting: "Suppression",
    phase_deleted: "Supprimée",
    steps_title: "Étapes de mise en service",
    step_webhook_approved: "Annoncer l'approbation",
    step_litellm_team: "Budget IA de l'organisation",
    step_litellm_key: "Clé d'accès IA de l'instance",
    step_webhook_provisioned: "Annoncer que tout est prêt",
    step_litellm_key_remove: "Retirer la clé d'accès IA de l'instance",
    step_litellm_team_remove: "Retirer le budget IA de l'organisation dès qu'aucune instance ne l'utilise",
    step_webhook_deprovisioned: "Annoncer la suppression",
    step_gitea_org: "Organisation Git",
    step_gitea_owners: "Propriétaires de l'organisation Git",
    step_coolify_project: "Projet de déploiement",
    step_coolify_service: "Service déployé",
    step_openbao_secrets: "Secrets dans le coffre",
    step_authentik_group: "Groupe de connexion",
    step_authentik_members: "Membres du groupe de connexion",
    step_kubernetes_resource: "Ressource du cluster",
    step_kubernetes_resource_remove: "Supprimer la ressource du cluster",
    step_authentik_group_remove: "Supprimer le groupe de connexion",
    step_openbao_secrets_remove: "Retirer les secrets du coffre",
    step_coolify_service_remove: "Supprimer le service déployé",
    step_coolify_project_remove: "Supprimer le projet de déploiement",
    step_gitea_org_remove: "Supprimer l'organisation Git",
    cluster_phase: |phase| format!("Cluster : {phase}"),
    nav_overview: "Vue d'ensemble",
    platform_overview_title: "Vue d'ensemble de la plateforme",
    platform_instances_by_phase: "Instances par phase",
    platform_pending_requests: |n| match LANG.plural(n) {
        One => format!("{n} demande attend une décision"),
        Other => format!("{n} demandes attendent une décision"),
    },
    platform_integrations: "Intégrations",
    integrations_none: "Aucune intégration n'est activée.",
    col_integration: "Intégration",
    col_latency: "Latence",
    col_last_check: "Dernière vérification",
    col_problem: "Problème",
    integration_ok: "OK",
    integration_error: "En panne",
    integration_unchecked: "Pas encore vérifiée",
    step_status_pending: "En attente",
    step_status_running: "En cours",
    step_status_ok: "Terminé",
    step_status_skipped: "Ignoré",
    step_status_error: "Échec",
    step_failed_generic: "Cette étape a échoué. Notre équipe est prévenue et la relancera.",
    step_attempts: |n| format!("Tentatives : {n}"),
    retry_failed_steps: "Relancer les étapes en échec",
    reconcile: "Réconcilier",
    deprovision: "Déprovisionner",
    retry_step: |step| format!("Relancer « {step} »"),
    staff_actions: "Actions de l'équipe",
    problem_invalid_host: "Saisissez un nom d'hôte comme mail.example.com.",
    problem_invalid_port: "Saisissez un port entre 1 et 65535.",
    queue_back: "← Retour à la file",
    request_decided: "Décidée",
    request_secrets_stored: "Secrets enregistrés (valeurs masquées)",
    request_submitted: "Votre demande a été envoyée. Un administrateur de la plateforme va l'examiner ; cette page se met à jour toute seule.",
    wizard_title: "Demander une nouvelle instance",
    wizard_welcome: |org| {
        format!(
            "Configurez en quelques étapes une instance d'agent IA pour {org}. Un administrateur de la plateforme examine chaque demande avant sa création."
        )
    },
    wizard_ask_owner: |org| {
        format!(
            "Seuls les propriétaires de {org} peuvent demander de nouvelles instances. Adressez-vous à un propriétaire :"
        )
    },
    wizard_back_to_dashboard: "Retour au tableau de bord",
    wizard_back: "Retour",
    wizard_next: "Suivant",
    wizard_submit: "Envoyer la demande",
    wizard_step_welcome: "Bienvenue",
    wizard_step_configure: "Configurer",
    wizard_step_packages: "Paquets",
    wizard_step_secrets: "Secrets",
    wizard_step_billing: "Facturation",
    wizard_step_confirm: "Confirmer",
    wizard_instance_label: "Nom de l'instance (facultatif)",
    wizard_instance_label_hint: "80 caractères au maximum ; affiché sur votre tableau de bord.",
    wizard_agent_name: "Nom de l'agent",
    wizard_soul_md: "SOUL.md",
    wizard_soul_md_hint: "Qui est votre agent : personnalité et ton. Markdown, 10 000 caractères au maximum.",
    wizard_agents_md: "AGENTS.md",
    wizard_agents_md_hint: "Comment votre agent travaille : tâches et règles. Markdown, 10 000 caractères au maximum.",
    wizard_packages_lead: "Choisissez ce que votre agent peut utiliser. Vous pourrez modifier les paquets plus tard.",
    wizard_needs_secrets: "Nécessite des accès",
    wizard_secrets_lead: "Ces valeurs sont chiffrées avant d'être enregistrées ; personne sur la plateforme ne peut les lire.",
    wizard_secrets_nojs: "Remplissez uniquement les champs des paquets choisis ci-dessus.",
    wizard_secret_entered: "accès saisis",
    wizard_billing_company: "Entreprise",
    wizard_billing_street: "Rue et numéro",
    wizard_billing_postal_code: "Code postal",
    wizard_billing_city: "Ville",
    wizard_billing_country: "Pays",
    wizard_billing_notes: "Remarques de facturation (facultatif)",
    wizard_contact: "Contact",
    wizard_contact_name: "Nom du contact",
    wizard_contact_email: "E-mail du contact",
    wizard_confirm_nojs: "Vérifiez vos saisies ci-dessus, puis envoyez la demande.",
    nav_keys: "Clés d'API",
    keys_title: "Clés d'API",
    keys_lead: |org| {
        format!(
            "Les clés permettent aux agents IA et aux scripts d'utiliser l'API de {org}. Chaque clé agit pour le membre qui l'a créée, dans la limite de ses droits."
        )
    },
    keys_read_only: "Les propriétaires et administrateurs créent, renouvellent et révoquent les clés.",
    keys_name: "Nom de la clé",
    keys_write: "Autoriser les modifications (droit d'écriture)",
    keys_expiry: "Expire",
    keys_expiry_never: "Jamais",
    keys_expiry_days: |n| format!("Dans {n} jours"),
    keys_mint: "Créer la clé",
    keys_token_once: "Copiez ce jeton maintenant : il n'est affiché qu'une fois et ne peut pas être récupéré.",
    keys_copy: "Copier",
    keys_copied: "Copié",
    keys_env_title: ".env pour votre agent",
    keys_download_env: "Télécharger le .env",
    keys_curl_title: "Essayer",
    keys_download: "Télécharger",
    keys_connect_title: "Connecter votre agent",
    keys_connect_lead: "Ces configurations MCP lisent la clé dans la variable d'environnement TENANTRY_API_KEY (issue du .env) : elles ne contiennent aucun secret.",
    keys_connect_cli: "Ou l'ajouter avec la ligne de commande de Claude Code :",
    keys_none: "Aucune clé d'API pour l'instant.",
    docs_title: "Référence de l'API",
    docs_lead: "L'API REST permet aux agents et aux scripts de lire les instances de votre organisation, leur provisionnement et leur consommation, de demander de nouvelles instances et de lire le journal d'audit, avec une clé d'API de la page des clés de l'organisation.",
    docs_base_url: "URL de base :",
    docs_auth: "Envoyez la clé dans chaque requête sous la forme Authorization: Bearer tny_… . Une clé n'atteint que sa propre organisation et agit avec le rôle de son créateur ; les clés en lecture ne peuvent rien modifier.",
    docs_errors: "Les erreurs sont du JSON {code, message} : code est stable, message est dans la langue d'Accept-Language.",
    docs_document: "Le document OpenAPI (JSON)",
    docs_tag_organization: "Organisation",
    docs_tag_instances: "Instances",
    docs_tag_requests: "Demandes d'instance",
    docs_tag_audit: "Journal d'audit",
    docs_schemas: "Schémas",
    docs_schemas_note: "Les notes des champs viennent du document, en anglais.",
    docs_parameters: "Paramètres",
    docs_request_body: "Corps de la requête",
    docs_responses: "Réponses",
    docs_required: "obligatoire",
    docs_optional: "facultatif",
    docs_values: "L'une des valeurs :",
    docs_one_of: "L'une de ces formes :",
    docs_op_get_organization: "L'organisation de la clé, avec le rôle avec lequel elle agit et ses portées.",
    docs_op_list_instances: "Les instances de l'organisation, les plus récentes d'abord, chacune avec sa phase et ses étapes de provisionnement ; passez next_cursor comme cursor pour la page suivante.",
    docs_op_get_instance: "Une instance avec l'état, les tentatives et les horaires de chaque étape de provisionnement.",
    docs_op_get_usage: "La consommation d'une instance ce mois-ci : dépenses en dollars US, jetons et requêtes, depuis LiteLLM.",
    docs_op_create_instance_request: "Demander une nouvelle instance avec les champs de l'assistant ; l'équipe de la plateforme l'examine avant le provisionnement. Nécessite une clé en écriture d'un propriétaire ; les secrets sont scellés et jamais renvoyés.",
    docs_op_list_audit_events: "Le journal d'audit de l'organisation, les plus récents d'abord, 50 événements par page, pour les clés des propriétaires et administrateurs.",
    docs_status_200: "Succès.",
    docs_status_201: "Créé.",
    docs_status_400: "Requête mal formée (bad_request).",
    docs_status_401: "Aucune clé d'API valide (invalid_api_key).",
    docs_status_403: "Non autorisé pour cette clé ou ce rôle (forbidden).",
    docs_status_404: "Introuvable dans l'organisation de la clé (not_found).",
    docs_status_409: "Conflit avec l'état actuel (p. ex. usage_not_configured).",
    docs_status_413: "Corps de requête trop volumineux.",
    docs_status_422: "Saisie invalide, avec chaque champ et la raison (invalid).",
    docs_status_429: "Trop de tentatives ; attendez Retry-After secondes.",
    docs_status_502: "Un système en amont n'a pas pu être interrogé.",
    docs_status_503: "Indisponible sur ce portail pour le moment.",
    keys_api_docs: "Référence de l'API",
    keys_col_name: "Nom",
    keys_col_key: "Clé",
    keys_col_scopes: "Droits",
    keys_col_created: "Créée",
    keys_col_last_used: "Dernière utilisation",
    keys_col_expires: "Expire",
    keys_col_status: "État",
    keys_scope_read: "lecture",
    keys_scope_read_write: "lecture, écriture",
    keys_status_active: "Active",
    keys_status_revoked: "Révoquée",
    keys_status_expired: "Expirée",
    keys_revoke: "Révoquer",
    keys_reroll: "Nouveau jeton",
    keys_grace: "L'ancien jeton reste valable pendant",
    keys_grace_hours: |n| {
        if n == 0 {
            "Ancien jeton invalide tout de suite".to_owned()
        } else {
            format!("Ancien jeton valable encore {n} h")
        }
    },
    keys_never_used: "Jamais",
};

/// Strings only the server uses; not compiled into the browser build.
#[cfg(feature = "ssr")]
pub static SERVER: super::ServerTexts = super::ServerTexts {
    mail_invite_subject: |inviter, org| format!("{inviter} vous invite à rejoindre {org}"),
    mail_invite_intro: |inviter, org, role| {
        format!("{inviter} vous invite à rejoindre {org} sur Tenantry en tant que {role}.")
    },
    mail_invite_action: "Accepter l'invitation",
    mail_invite_expiry: |days| match LANG.plural(days) {
        One => format!("Le lien ne fonctionne qu'une fois et expire dans {days} jour."),
        Other => format!("Le lien ne fonctionne qu'une fois et expire dans {days} jours."),
    },
    mail_invite_ignore: "Si vous n'attendiez pas cette invitation, vous pouvez ignorer cet e-mail.",
    mail_request_approved_subject: |label| format!("Votre demande pour {label} a été approuvée"),
    mail_request_approved_body: |label, org, name| {
        format!(
            "Bonne nouvelle : votre demande pour {label} ({org}) a été approuvée. L'instance {name} est en cours de mise en place ; votre tableau de bord en montre l'avancement."
        )
    },
    mail_request_rejected_subject: |label| {
        format!("Votre demande pour {label} n'a pas été approuvée")
    },
    mail_request_rejected_body: |label, org| {
        format!("Votre demande pour {label} ({org}) n'a pas été approuvée.")
    },
    mail_request_note: "Note de l'équipe de la plateforme :",
    mail_request_dashboard_action: "Ouvrir votre tableau de bord",
    mail_request_new_subject: |org, label| {
        format!("Nouvelle demande d'instance de {org} : {label}")
    },
    mail_request_new_body: |requester, label, org| {
        format!(
            "{requester} a demandé l'instance {label} pour {org}. Elle attend une décision dans la file d'administration."
        )
    },
    mail_request_new_action: "Ouvrir la demande",
    mail_verify_subject: "Confirmez votre adresse e-mail",
    mail_verify_body: |name| {
        format!(
            "Bonjour {name}, veuillez confirmer qu'il s'agit bien de votre adresse e-mail pour terminer la création de votre compte."
        )
    },
    mail_verify_action: "Confirmer mon adresse e-mail",
    mail_verify_expiry: |hours| match LANG.plural(hours) {
        One => format!("Le lien ne fonctionne qu'une fois et expire dans {hours} heure."),
        Other => format!("Le lien ne fonctionne qu'une fois et expire dans {hours} heures."),
    },
    mail_verify_ignore: "Si vous n'avez pas créé de compte, vous pouvez ignorer cet e-mail ; rien ne se passe sans le lien.",
    wizard_default_soul: |name| {
        format!(
            "# Âme\n\nTu es l'assistant IA de {name}. Tu es aimable, précis et honnête, et tu le dis quand tu ne sais pas quelque chose.\n"
        )
    },
    wizard_default_agents: |name| {
        format!(
            "# Agents\n\nTu travailles pour {name}.\n\n- Réponds aux questions sur {name} et son travail.\n- Demande avant d'agir au nom de quelqu'un.\n- Ne partage jamais d'identifiants ni de données personnelles.\n"
        )
    },
};
