// Package cmdutil holds what every command shares: the Factory (configuration,
// lazily built ARM clients, IO streams), global arguments, az-style errors and exit
// codes, confirmation prompts, the progress spinner and printing through output.
package cmdutil
