'use strict'
// iam-harness engine adapter for @cloud-copilot/iam-simulate (engine protocol 1, docs/design.md §4).
// Reads JSON Lines requests on stdin, answers one line per request on stdout. The adapter only
// translates a case into iam-simulate's `Simulation` and its result back; it never corrects the
// engine. See README.md for the mapping and the features claimed.

const path = require('node:path')
const readline = require('node:readline')

const ENGINE_DIR = path.join(__dirname, 'node_modules', '@cloud-copilot', 'iam-simulate')
const { runSimulation, anonymousPrincipal } = require('@cloud-copilot/iam-simulate')
const ENGINE_VERSION = require(path.join(ENGINE_DIR, 'package.json')).version

// Features claimed, and why: README.md.
const FEATURES = [
  'identity',
  'explicit-deny',
  'implicit-deny',
  'resource-policy',
  'resource-policy:*',
  'trust-policy',
  'key-policy',
  'boundary',
  'session-policy',
  'federated-session',
  'scp',
  'scp:levels',
  'rcp',
  'rcp:levels',
  'cross-account',
  'anonymous',
  'service-principal',
  'principal',
  'not-principal',
  'action',
  'action:*',
  'not-action',
  'resource',
  'not-resource',
  'arn:*',
  'condition:*',
  'missing-key',
  'multivalued',
  'negated-operator',
  'variables',
  'variables:*',
  'global-keys',
  'parse',
  'validate:identity',
  'validate:resource',
  'validate:scp',
  'validate:rcp'
]

// ---- request: principal kind and the global keys the case leaves to the engine (docs/design.md §3)

function principalKind(principal) {
  if (principal === '*' || principal.toLowerCase() === 'anonymous') return 'anonymous'
  if (!principal.startsWith('arn:')) {
    return /\.amazonaws\.com(\.cn)?$/.test(principal) ? 'service' : 'other'
  }
  const parts = principal.split(':')
  const service = parts[2] || ''
  const resource = parts.slice(5).join(':')
  if (service === 'iam' && resource === 'root') return 'root'
  if (service === 'iam' && resource.startsWith('user/')) return 'user'
  if (service === 'iam' && resource.startsWith('role/')) return 'role'
  if (service === 'sts' && resource.startsWith('assumed-role/')) return 'assumed-role'
  if (service === 'sts' && resource.startsWith('federated-user/')) return 'federated-user'
  return 'other'
}

function arnAccount(arn) {
  if (!arn.startsWith('arn:')) return undefined
  return arn.split(':')[4] || undefined
}

function roleArnOfSession(sessionArn) {
  const parts = sessionArn.split(':')
  if (parts.length < 6) return undefined
  const rest = parts.slice(5).join(':')
  if (!rest.startsWith('assumed-role/')) return undefined
  const role = rest.slice('assumed-role/'.length).split('/')[0]
  return `arn:${parts[1]}:iam::${parts[4]}:role/${role}`
}

const PRINCIPAL_TYPE = {
  root: 'Account',
  user: 'User',
  'federated-user': 'FederatedUser',
  'assumed-role': 'AssumedRole',
  role: 'AssumedRole',
  anonymous: 'Anonymous'
}

// Context values as iam-simulate takes them: strings or arrays of strings; null keys dropped.
function scalar(value) {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function contextVariables(request) {
  const kind = principalKind(request.principal)
  const principalAccount = request.principal_account || arnAccount(request.principal)
  const derived = {}
  const principalArn =
    kind === 'assumed-role'
      ? roleArnOfSession(request.principal)
      : kind !== 'service' && kind !== 'anonymous' && request.principal.startsWith('arn:')
        ? request.principal
        : undefined
  if (principalArn) derived['aws:PrincipalArn'] = principalArn
  if (principalAccount && kind !== 'service' && kind !== 'anonymous') {
    derived['aws:PrincipalAccount'] = principalAccount
  }
  if (PRINCIPAL_TYPE[kind]) derived['aws:PrincipalType'] = PRINCIPAL_TYPE[kind]
  if (kind === 'user') derived['aws:username'] = request.principal.split('/').pop()
  if (kind === 'service') derived['aws:PrincipalServiceName'] = request.principal
  const resourceAccount = resourceAccountOf(request)
  if (resourceAccount) derived['aws:ResourceAccount'] = resourceAccount

  const given = request.context || {}
  const givenLower = new Set(Object.keys(given).map((k) => k.toLowerCase()))
  const out = {}
  for (const [key, value] of Object.entries(derived)) {
    if (!givenLower.has(key.toLowerCase())) out[key] = value
  }
  for (const [key, value] of Object.entries(given)) {
    if (value === null) continue
    out[key] = Array.isArray(value) ? value.map(scalar) : scalar(value)
  }
  return out
}

// The resource's account: the case's, else the ARN's, else (S3 ARNs carry none) the caller's —
// the harness's reference treats an unknown resource account as the caller's account too.
function resourceAccountOf(request) {
  return (
    request.resource_account ||
    arnAccount(request.resource) ||
    request.principal_account ||
    arnAccount(request.principal)
  )
}

// ---- policies

class InvalidPolicy extends Error {}

// A policy is a JSON object, or a string holding its text (parsed with JSON.parse, which keeps
// the last of duplicate keys: iam-simulate only ever sees objects).
function doc(policy, where) {
  if (typeof policy !== 'string') return policy
  try {
    return JSON.parse(policy)
  } catch (e) {
    throw new InvalidPolicy(`${where}: not JSON: ${e.message}`)
  }
}

// RCPFullAWSAccess, the AWS-managed RCP attached at every level: iam-simulate adds it itself at
// every level (and rejects it as a customer RCP, which may only Deny), so it is not passed on.
function isRcpFullAwsAccess(policy) {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]
  if (statements.length !== 1 || !statements[0]) return false
  const s = statements[0]
  const star = (v) => v === '*' || (Array.isArray(v) && v.length === 1 && v[0] === '*')
  const keys = Object.keys(s).filter((k) => k !== 'Sid').sort().join(',')
  return keys === 'Action,Effect,Principal,Resource' && s.Effect === 'Allow' &&
    (star(s.Principal) || (s.Principal && star(s.Principal.AWS) && Object.keys(s.Principal).length === 1)) &&
    star(s.Action) && star(s.Resource)
}

function orgLevels(levels, kind, accountId) {
  const last = levels.length - 1
  return levels.map((docs, i) => ({
    orgIdentifier: i === 0 ? `r-${kind}root` : i === last ? accountId : `ou-${kind}-${i}`,
    policies: docs.map((p, j) => ({ name: `${kind}[${i}][${j}]`, policy: doc(p, `${kind}[${i}][${j}]`) }))
  }))
}

function simulationFor(policies, request) {
  const identity = policies.identity || []
  const session = policies.session || []
  if (session.length > 1) {
    return { skip: 'iam-simulate takes a single session policy; the case has several' }
  }
  const resourceAccount = resourceAccountOf(request) || ''
  const principalAccount = request.principal_account || arnAccount(request.principal) || ''
  const anonymous = principalKind(request.principal) === 'anonymous'
  const rcp = (policies.rcp || []).map((level, i) =>
    level.map((p, j) => doc(p, `rcp[${i}][${j}]`)))
  if (rcp.some((level) => !level.some(isRcpFullAwsAccess))) {
    return { skip: 'iam-simulate attaches RCPFullAWSAccess at every level; the case has a level without it' }
  }
  const rcpLevels = rcp.map((level) => level.filter((p) => !isRcpFullAwsAccess(p)))
  const simulation = {
    request: {
      principal: anonymous ? anonymousPrincipal : request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: contextVariables(request)
    },
    identityPolicies: identity.map((p, i) => ({ name: `identity[${i}]`, policy: doc(p, `identity[${i}]`) })),
    serviceControlPolicies: orgLevels(policies.scp || [], 'scp', principalAccount),
    resourceControlPolicies: orgLevels(rcpLevels, 'rcp', resourceAccount)
  }
  if (session.length === 1) simulation.sessionPolicy = doc(session[0], 'session[0]')
  if (policies.resource != null) simulation.resourcePolicy = doc(policies.resource, 'resource')
  if (policies.boundary != null) {
    simulation.permissionBoundaryPolicies = [{ name: 'boundary', policy: doc(policies.boundary, 'boundary') }]
  }
  return { simulation }
}

// ---- evaluation

const DECISIONS = {
  Allowed: 'allow',
  ExplicitlyDenied: 'explicit_deny',
  ImplicitlyDenied: 'implicit_deny'
}

async function evaluateTest(policies, test) {
  let built
  try {
    built = simulationFor(policies || {}, test.request)
  } catch (e) {
    if (e instanceof InvalidPolicy) return { decision: 'invalid' }
    return { errored: { message: String(e && e.stack ? e.stack : e) } }
  }
  if (built.skip) return { skipped: built.skip }
  let result
  try {
    result = await runSimulation(built.simulation, { simulationMode: 'Strict' })
  } catch (e) {
    return { errored: { message: `iam-simulate threw: ${e && e.message ? e.message : e}` } }
  }
  if (result.resultType === 'error') {
    // Policy validation errors are the engine saying "invalid"; anything else is a request it
    // refused to simulate (unknown action, resource type not matching the action, …).
    if (result.errors && result.errors.message === 'policy.errors') return { decision: 'invalid' }
    // iam-simulate refuses identity, boundary, session and SCP inputs for an anonymous caller:
    // a case that gives them cannot be put to it.
    if (result.errors && result.errors.anonymousRequestErrors) {
      return { skipped: `iam-simulate refuses principal-side policies for an anonymous request (${result.errors.message})` }
    }
    return { errored: { message: `iam-simulate refused the request: ${JSON.stringify(result.errors)}` } }
  }
  const decision = DECISIONS[result.overallResult]
  if (!decision) {
    return { errored: { message: `unexpected iam-simulate result ${JSON.stringify(result.overallResult)}` } }
  }
  return { decision }
}

async function handle(message) {
  switch (message.cmd) {
    case 'start':
      return {
        ready: true,
        engine: {
          name: 'iam-simulate',
          version: ENGINE_VERSION,
          language: 'TypeScript (Node.js)',
          homepage: 'https://github.com/cloud-copilot/iam-simulate'
        },
        features: FEATURES
      }
    case 'evaluate': {
      const kase = message.case || {}
      const results = []
      for (const test of kase.tests || []) {
        results.push(await evaluateTest(kase.policies, test))
      }
      return { seq: message.seq, results }
    }
    default:
      return { seq: message.seq, errored: { message: `unknown command ${JSON.stringify(message.cmd)}` } }
  }
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  for await (const line of rl) {
    if (!line.trim()) continue
    let message
    try {
      message = JSON.parse(line)
    } catch (e) {
      process.stdout.write(JSON.stringify({ errored: { message: `not JSON: ${e.message}` } }) + '\n')
      continue
    }
    if (message.cmd === 'stop') break
    let response
    try {
      response = await handle(message)
    } catch (e) {
      response = { seq: message.seq, errored: { message: `adapter error: ${e && e.stack ? e.stack : e}` } }
    }
    process.stdout.write(JSON.stringify(response) + '\n')
  }
  process.exit(0)
}

main()
