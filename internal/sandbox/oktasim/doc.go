// Package oktasim simulates Okta orgs for tests and the local sandbox: the
// subset of the Okta Management API the provider reads (apps, provisioning
// connection, app features, app groups), Okta's authentication schemes (SSWS
// tokens and OAuth 2.0 client credentials with private_key_jwt), its error
// bodies, pagination and rate limits, and the faults a real network adds.
//
// Each Org serves one org on its own loopback listener, at the root path, so
// okta-sdk-golang/v2 talks to it exactly as it talks to a real org. App
// objects are kept as the raw JSON Okta returned and are served back
// verbatim; the simulator rewrites only the members an administrator's change
// would rewrite (status, features, lastUpdated and the lifecycle link).
package oktasim
