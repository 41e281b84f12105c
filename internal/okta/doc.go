// Package okta is the provider's Okta adapter: it gathers the facts the
// readiness engine (package eligibility) judges, from one okta-sdk-golang/v2
// client per org, spending as little of the org's rate limits as the facts
// allow.
//
// Design decisions, in short:
//
//   - The SDK builds and authenticates every request (SSWS, or an OAuth 2.0
//     service app with private_key_jwt; the signer is ours so PKCS#8 keys
//     work too), with its cache off and every setting it would read from
//     ~/.okta/okta.yaml or OKTA_CLIENT_* set explicitly. Requests are sent by
//     our own *http.Client and their bodies decoded into small structs: the
//     SDK's typed models drop fields the checks need, its pagination drops
//     the host of a next link instead of refusing it, and its own 429 loop
//     ends in a bare "too many requests".
//   - Retries belong to the transport (package httpx): 429 after
//     X-Rate-Limit-Reset or Retry-After, 5xx and dropped connections with
//     backoff, bounded by MaxRetries. The SDK's retries are off. A failure
//     that outlives them is an *APIError naming the endpoint, the rate-limit
//     bucket, its limit and its reset time.
//   - Beneath the retries a pacer keeps each bucket (the apps bucket shared
//     by the listing and every /api/v1/apps/{id}/… call, app-by-id, groups)
//     within MaxAPICapacity percent of its limit, read from X-Rate-Limit-*:
//     it waits for the bucket's reset before sending a request that would cut
//     into the share left to other clients, instead of meeting a 429.
//   - Facts are gathered once per process and shared: the app listing, the
//     APP_GROUP search, and each instance's provisioning answer (per app id
//     and lastUpdated). Concurrent callers wait for one fetch.
//
// What the app object proves, and so which calls are skipped:
//
//   - P3 (installed, and an instance of the app) and P4 (ACTIVE): exactly,
//     from the complete listing; an id missing from it is not installed.
//   - P6 (Import New Users and Profile Updates): exactly, from features.
//   - P5 (provisioning on): features holding SCIM_PROVISIONING, IMPORT_* or
//     PUSH_* show it on (inferred: Okta lists those only while provisioning
//     runs). Without them the app object proves nothing — Okta has been
//     recorded sending an empty list for an app whose connection was
//     ENABLED — so the provisioning endpoints are asked: for the apps
//     Okta's connection API covers, GET …/connections/default, and
//     GET …/features when it answers UNKNOWN; for every other app,
//     GET …/features alone. A caller's trusted answer stands
//     in for those calls while the app's lastUpdated is unchanged.
package okta
