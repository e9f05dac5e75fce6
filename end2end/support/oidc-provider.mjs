// A certified OpenID provider (npm `oidc-provider`) on loopback, for the integration tests
// and the browser journeys. Its development login form accepts any login and password; the
// login becomes the subject and the email. Logins starting with "unverified" come back with
// email_verified = false.
//
//   OIDC_PORT=4400 OIDC_REDIRECT_URIS=http://127.0.0.1:3100/auth/oidc/test/callback \
//   OIDC_CLIENT_SECRET=... node support/oidc-provider.mjs
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT ?? 4400);
const redirectUris = (process.env.OIDC_REDIRECT_URIS ?? '').split(',').filter(Boolean);
const clientSecret = process.env.OIDC_CLIENT_SECRET ?? 'tenantry-test-secret';
if (redirectUris.length === 0) {
  console.error('OIDC_REDIRECT_URIS is required');
  process.exit(2);
}

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: 'tenantry',
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        const local = id.split('@')[0];
        return {
          sub: id,
          email: id,
          email_verified: !id.startsWith('unverified'),
          given_name: local.charAt(0).toUpperCase() + local.slice(1),
          family_name: 'Provider',
          name: `${local} Provider`,
        };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name'],
  },
  pkce: { required: () => true },
  cookies: { keys: ['loopback-test-provider-only'] },
  ttl: { AuthorizationCode: 60, Session: 600, Interaction: 600, Grant: 600 },
  features: { devInteractions: { enabled: true } },
});
// Plain http on loopback: nothing to proxy, nothing to secure.
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});
