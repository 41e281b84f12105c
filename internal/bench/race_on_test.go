//go:build race

package main

// raceEnabled tells tests that the race detector makes large inputs slow.
const raceEnabled = true
