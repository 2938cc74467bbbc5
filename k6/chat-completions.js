// Load test of POST /v1/chat/completions through the Portcullis gateway, with tokens from
// the OIDC provider and two scenarios that run side by side: "chat" (non-streamed) and
// "stream" (stream: true). Each request is sent as one of several identities in turn: the
// client-credentials client and the users of the password grant. Usage is in k6/README.md.
import http from 'k6/http';
import { check, fail } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate } from 'k6/metrics';

// --- Settings, from k6's --env or the environment ---

function setting(name, fallback) {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

function numberSetting(name, fallback) {
  const text = setting(name, String(fallback));
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new Error(`${name}=${text} is not a number. Set a number, or leave it unset for ${fallback}`);
  }
  return value;
}

const GATEWAY_URL = setting('GATEWAY_URL', 'http://127.0.0.1:8080').replace(/\/+$/, '');
const MODEL = setting('MODEL', 'smollm2-135m-instruct');
const PROMPT = setting('PROMPT', 'Name three colours of the rainbow.');
const MAX_TOKENS = numberSetting('MAX_TOKENS', 32);
const REQUEST_TIMEOUT = setting('REQUEST_TIMEOUT', '120s');

const OIDC_ISSUER = setting('OIDC_ISSUER', 'http://127.0.0.1:8180/realms/portcullis').replace(/\/+$/, '');
// When empty, setup() reads token_endpoint from the issuer's discovery document.
const OIDC_TOKEN_URL = setting('OIDC_TOKEN_URL', '');
const CLIENT_ID = setting('CLIENT_ID', 'build-agent');
const CLIENT_SECRET = setting('CLIENT_SECRET', 'build-agent-secret');
const PASSWORD_CLIENT_ID = setting('PASSWORD_CLIENT_ID', 'portcullis-cli');
// Comma-separated user:password pairs for the password grant, or empty for none.
const PASSWORD_USERS = setting('PASSWORD_USERS', 'alice:alice,bob:bob');
// A token is renewed this many seconds before its expiry, so that no request carries a
// token that expires in flight or on a gateway whose clock runs ahead.
const TOKEN_RENEW_MARGIN_S = numberSetting('TOKEN_RENEW_MARGIN_S', 30);

const SCENARIOS = setting('SCENARIOS', 'chat,stream').split(',').map((name) => name.trim()).filter(Boolean);
const DURATION = setting('DURATION', '2m');
const CHAT_VUS = numberSetting('CHAT_VUS', 2);
const STREAM_VUS = numberSetting('STREAM_VUS', 2);

// Threshold defaults are guesses for a small model on a CPU, not measurements, so set
// them for the model and hardware under test.
const MAX_ERROR_RATE = numberSetting('MAX_ERROR_RATE', 0.01);
const P95_MS = numberSetting('P95_MS', 5000);
const P99_MS = numberSetting('P99_MS', 10000);
const STREAM_FIRST_BYTE_P95_MS = numberSetting('STREAM_FIRST_BYTE_P95_MS', 2000);
// Maximum failed requests that each VU logs. The metrics count all of them.
const MAX_LOGGED_FAILURES = numberSetting('MAX_LOGGED_FAILURES', 5);

// --- Metrics and options ---

// A request counts as an error when any of its checks fails: HTTP status, body shape,
// or, in a stream, an error event or a missing "data: [DONE]".
const chatErrors = new Rate('chat_errors');
const completionTokens = new Counter('chat_completion_tokens');

const SCENARIO_DEFINITIONS = {
  chat: { executor: 'constant-vus', exec: 'chatCompletion', vus: CHAT_VUS, duration: DURATION },
  stream: { executor: 'constant-vus', exec: 'streamedChatCompletion', vus: STREAM_VUS, duration: DURATION },
};

function selectedScenarios() {
  const selected = {};
  for (const name of SCENARIOS) {
    if (!(name in SCENARIO_DEFINITIONS)) {
      throw new Error(`SCENARIOS names unknown scenario '${name}'. ` +
        'Use chat, stream or both, comma-separated.');
    }
    selected[name] = SCENARIO_DEFINITIONS[name];
  }
  return selected;
}

// Thresholds of the selected scenarios only, because a threshold on a metric without
// samples would pass without measuring anything.
function thresholds(scenarios) {
  const selected = {
    chat_errors: [`rate<${MAX_ERROR_RATE}`],
    'http_req_failed{endpoint:token}': [`rate<${MAX_ERROR_RATE}`],
  };
  if ('chat' in scenarios) {
    selected['http_req_duration{endpoint:chat}'] = [`p(95)<${P95_MS}`, `p(99)<${P99_MS}`];
  }
  if ('stream' in scenarios) {
    // For a stream, the duration runs to the last event, and the waiting time to the
    // first byte of the response.
    selected['http_req_duration{endpoint:chat_stream}'] = [`p(95)<${P95_MS}`, `p(99)<${P99_MS}`];
    selected['http_req_waiting{endpoint:chat_stream}'] = [`p(95)<${STREAM_FIRST_BYTE_P95_MS}`];
  }
  return selected;
}

const scenarios = selectedScenarios();

export const options = {
  scenarios,
  thresholds: thresholds(scenarios),
};

// --- Helpers ---

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return null;
  }
}

let loggedFailures = 0;

// Logs a failure unless this VU has logged MAX_LOGGED_FAILURES already.
function logLimited(message) {
  loggedFailures += 1;
  if (loggedFailures > MAX_LOGGED_FAILURES) {
    return;
  }
  console.warn(message);
  if (loggedFailures === MAX_LOGGED_FAILURES) {
    console.warn(`this VU reached MAX_LOGGED_FAILURES=${MAX_LOGGED_FAILURES} and logs no further failures`);
  }
}

// --- Identities and tokens ---

function parseIdentities() {
  const identities = [{ name: CLIENT_ID, grant: 'client_credentials' }];
  for (const pair of PASSWORD_USERS.split(',').map((entry) => entry.trim()).filter(Boolean)) {
    const colon = pair.indexOf(':');
    if (colon <= 0) {
      // The entry is not echoed, because it may be a password without its user name.
      throw new Error('PASSWORD_USERS has an entry that is not user:password. Separate entries with commas.');
    }
    identities.push({ name: pair.slice(0, colon), grant: 'password', password: pair.slice(colon + 1) });
  }
  return identities;
}

const IDENTITIES = parseIdentities();

// Tokens of this VU by identity name: { accessToken, refreshToken, expiresAt, refreshExpiresAt }.
// Each VU has its own JavaScript runtime, so VUs do not share this cache.
const tokenCache = {};

function grantForm(identity) {
  if (identity.grant === 'client_credentials') {
    return { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
  }
  return {
    grant_type: 'password',
    client_id: PASSWORD_CLIENT_ID,
    username: identity.name,
    password: identity.password,
  };
}

function refreshForm(identity, refreshToken) {
  const form = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: PASSWORD_CLIENT_ID };
  if (identity.grant === 'client_credentials') {
    form.client_id = CLIENT_ID;
    form.client_secret = CLIENT_SECRET;
  }
  return form;
}

function requestToken(tokenUrl, form, identity) {
  const response = http.post(tokenUrl, form, {
    tags: { endpoint: 'token', name: 'token', grant: form.grant_type },
    timeout: '10s',
  });
  const body = response.status === 200 ? parseJson(response.body) : null;
  const ok = check(response, {
    'token: status 200': (r) => r.status === 200,
    'token: has access_token': () => body !== null && typeof body.access_token === 'string',
  });
  if (!ok) {
    // The body of a failed grant is an OAuth error object, which contains no token.
    logLimited(`token request for ${identity.name} (${form.grant_type}) failed: status ${response.status}, ` +
      `body ${String(response.body).slice(0, 300)}`);
    return null;
  }
  const now = Date.now();
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token || null,
    expiresAt: now + Number(body.expires_in || 0) * 1000,
    refreshExpiresAt: body.refresh_expires_in ? now + Number(body.refresh_expires_in) * 1000 : 0,
  };
}

// Gets an access token of the identity that stays valid for at least the renew margin:
// from this VU's cache, a refresh_token grant, or a new grant. Returns null when the
// provider rejects every attempt.
function accessToken(tokenUrl, identity) {
  const now = Date.now();
  const margin = TOKEN_RENEW_MARGIN_S * 1000;
  const cached = tokenCache[identity.name];
  if (cached && cached.expiresAt - margin > now) {
    return cached.accessToken;
  }
  let renewed = null;
  // By default Keycloak issues no refresh token with client credentials, so usually only
  // the password grant's tokens take this path.
  if (cached && cached.refreshToken && cached.refreshExpiresAt - margin > now) {
    renewed = requestToken(tokenUrl, refreshForm(identity, cached.refreshToken), identity);
  }
  if (renewed === null) {
    renewed = requestToken(tokenUrl, grantForm(identity), identity);
  }
  if (renewed === null) {
    delete tokenCache[identity.name];
    return null;
  }
  tokenCache[identity.name] = renewed;
  return renewed.accessToken;
}

// Picks the identity of this iteration: each VU cycles through all of them, and VUs start
// at different ones.
function currentIdentity() {
  const index = (exec.vu.idInTest + exec.vu.iterationInScenario) % IDENTITIES.length;
  return IDENTITIES[index];
}

// --- Setup: find the token endpoint, check each identity and the model once ---

function discoverTokenUrl() {
  if (OIDC_TOKEN_URL !== '') {
    return OIDC_TOKEN_URL;
  }
  const discoveryUrl = `${OIDC_ISSUER}/.well-known/openid-configuration`;
  const response = http.get(discoveryUrl, {
    tags: { endpoint: 'discovery', name: 'discovery' },
    timeout: '10s',
  });
  const discovery = response.status === 200 ? parseJson(response.body) : null;
  if (discovery === null || typeof discovery.token_endpoint !== 'string') {
    fail(`GET ${discoveryUrl} returned status ${response.status} without a token_endpoint. ` +
      'Check OIDC_ISSUER or set OIDC_TOKEN_URL.');
  }
  return discovery.token_endpoint;
}

export function setup() {
  const tokenUrl = discoverTokenUrl();
  let firstToken = null;
  for (const identity of IDENTITIES) {
    const token = accessToken(tokenUrl, identity);
    if (token === null) {
      fail(`no token for ${identity.name} from ${tokenUrl}. Check the client id, secret and user passwords.`);
    }
    firstToken = firstToken || token;
  }
  const models = http.get(`${GATEWAY_URL}/v1/models`, {
    headers: { Authorization: `Bearer ${firstToken}` },
    tags: { endpoint: 'models', name: 'models' },
    timeout: '10s',
  });
  const list = models.status === 200 ? parseJson(models.body) : null;
  if (list === null || !Array.isArray(list.data)) {
    fail(`GET ${GATEWAY_URL}/v1/models returned status ${models.status}: ` +
      String(models.body).slice(0, 300));
  }
  const served = list.data.map((model) => model.id);
  if (!served.includes(MODEL)) {
    fail(`the gateway does not serve model '${MODEL}'. It serves: ${served.join(', ')}. ` +
      'Set MODEL to one of them.');
  }
  const names = IDENTITIES.map((identity) => identity.name).join(', ');
  console.log(`gateway ${GATEWAY_URL}, model ${MODEL}, identities ${names}, token endpoint ${tokenUrl}`);
  return { tokenUrl };
}

// --- Requests ---

// Logs a failed chat request with the gateway's request id and an excerpt: the start of
// the body, or for a stream the data of its last event, where an error event would be.
function logFailure(identity, response, excerpt) {
  const requestId = response.headers['X-Request-Id'] || '-';
  logLimited(`${exec.scenario.name} request as ${identity.name} failed: status ${response.status}, ` +
    `X-Request-Id ${requestId}, ${String(excerpt).slice(0, 300)}`);
}

function postChat(data, stream) {
  const identity = currentIdentity();
  const token = accessToken(data.tokenUrl, identity);
  if (token === null) {
    chatErrors.add(true, { identity: identity.name });
    return null;
  }
  const body = {
    model: MODEL,
    messages: [{ role: 'user', content: PROMPT }],
    max_tokens: MAX_TOKENS,
    stream,
  };
  const response = http.post(`${GATEWAY_URL}/v1/chat/completions`, JSON.stringify(body), {
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: stream ? 'text/event-stream' : 'application/json',
    },
    tags: { endpoint: stream ? 'chat_stream' : 'chat', name: 'chat_completions', identity: identity.name },
    timeout: REQUEST_TIMEOUT,
  });
  return { identity, response };
}

export function chatCompletion(data) {
  const sent = postChat(data, false);
  if (sent === null) {
    return;
  }
  const { identity, response } = sent;
  const completion = response.status === 200 ? parseJson(response.body) : null;
  const ok = check(response, {
    'chat: status 200': (r) => r.status === 200,
    'chat: object is chat.completion': () => completion !== null && completion.object === 'chat.completion',
    'chat: has an assistant message': () => completion !== null && Array.isArray(completion.choices) &&
      completion.choices.length > 0 && completion.choices[0].message &&
      completion.choices[0].message.role === 'assistant',
  }, { identity: identity.name });
  chatErrors.add(!ok, { identity: identity.name });
  if (!ok) {
    logFailure(identity, response, `body ${response.body}`);
    return;
  }
  if (completion.usage && Number.isFinite(completion.usage.completion_tokens)) {
    completionTokens.add(completion.usage.completion_tokens);
  }
}

// Splits an SSE body into the data of each event (the data lines of one event joined by
// "\n"). Comment lines and other fields are skipped.
function sseEventData(body) {
  const events = [];
  for (const block of body.split(/\r?\n\r?\n/)) {
    const lines = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('data:')) {
        const value = line.slice(5);
        lines.push(value.startsWith(' ') ? value.slice(1) : value);
      }
    }
    if (lines.length > 0) {
      events.push(lines.join('\n'));
    }
  }
  return events;
}

// k6 buffers the whole response body, so the stream is checked once it has ended.
export function streamedChatCompletion(data) {
  const sent = postChat(data, true);
  if (sent === null) {
    return;
  }
  const { identity, response } = sent;
  const body = response.status === 200 && typeof response.body === 'string' ? response.body : '';
  const events = sseEventData(body);
  const chunks = events.filter((event) => event !== '[DONE]').map(parseJson);
  const contentType = response.headers['Content-Type'] || '';
  const ok = check(response, {
    'stream: status 200': (r) => r.status === 200,
    'stream: content type text/event-stream': () => contentType.startsWith('text/event-stream'),
    'stream: ends with data: [DONE]': () => body.trimEnd().endsWith('data: [DONE]'),
    'stream: has chunks': () => chunks.length > 0,
    'stream: every chunk is a chat.completion.chunk': () => chunks.every((chunk) =>
      chunk !== null && chunk.error === undefined && chunk.object === 'chat.completion.chunk'),
  }, { identity: identity.name });
  chatErrors.add(!ok, { identity: identity.name });
  if (!ok) {
    const excerpt = events.length > 0
      ? `last of ${events.length} events ${events[events.length - 1]}`
      : `body ${response.body}`;
    logFailure(identity, response, excerpt);
  }
}
