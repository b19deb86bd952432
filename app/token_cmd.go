package app

import (
	"fmt"
	"io"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/coapclient"
	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
)

func runToken(args []string, stdout, stderr io.Writer) int {
	dataDir := gatewaylite.DefaultDataDir()
	login := coapclient.Pasteable{Command: coapclient.Command{Gateway: "127.0.0.1:5683"}, Login: coapclient.LoginWithWorkbenchToken}
	fs := newFlagSet("token", "Prints a token signed with the local gateway's key, for POST /sessions. The token alone goes\nto standard output, so that it can be piped:\n\n  "+login.LoginLine())
	account := fs.String("account", "dev", "account the token is for (an id in gateway.json)")
	ttl := fs.Duration("ttl", auth.DefaultTokenTTL, "how long the token is valid")
	registerDataDir(fs, &dataDir)
	if exit, stop := parseFlags(fs, args, stderr); stop {
		return exit
	}
	if *ttl <= 0 {
		fmt.Fprintln(stderr, "token: --ttl must be positive")
		return ExitUsage
	}
	key, err := auth.LoadOrCreateSigningKey(dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "token:", err)
		return ExitFailure
	}
	cfg, _, err := gatewaylite.LoadOrCreateFileConfig(dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "token:", err)
		return ExitFailure
	}
	accounts, err := auth.NewAccounts(cfg.Accounts)
	if err != nil {
		fmt.Fprintln(stderr, "token:", err)
		return ExitFailure
	}
	if _, ok := accounts.Lookup(*account); !ok {
		fmt.Fprintf(stderr, "token: no account %q in %s/%s\n", *account, dataDir, gatewaylite.ConfigFile)
		return ExitFailure
	}
	tok, err := auth.NewTokenAuthority(key, nil).Issue(*account, *ttl)
	if err != nil {
		fmt.Fprintln(stderr, "token:", err)
		return ExitFailure
	}
	fmt.Fprintln(stdout, tok.Raw)
	fmt.Fprintf(stderr, "token for account %s, valid until %s\n", *account, tok.ExpiresAt.Local().Format(time.DateTime))
	return ExitOK
}
