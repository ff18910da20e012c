package container

import (
	"context"
	"fmt"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

// storageAccountKey finds an account's first key through ARM (the account
// found by listing the subscription's accounts): what a user who names a
// share's account without its key means, and what `aci storage` does too.
func storageAccountKey(f *cmdutil.Factory, account string) (string, error) {
	c, err := f.ARM()
	if err != nil {
		return "", err
	}
	svc, err := c.StorageAccounts()
	if err != nil {
		return "", err
	}
	rg, err := svc.FindGroup(f.Context(), account)
	if err != nil {
		return "", err
	}
	if rg == "" {
		return "", fmt.Errorf("Storage account '%s' not found.", account)
	}
	keys, err := svc.Keys(f.Context(), rg, account)
	if err != nil {
		return "", err
	}
	list, _ := keys["keys"].([]any)
	if len(list) == 0 {
		return "", fmt.Errorf("the storage account '%s' lists no keys", account)
	}
	first, _ := list[0].(map[string]any)
	v, _ := first["value"].(string)
	return v, nil
}

// fillAzureFileKeys completes azureFile volumes that name no key (in a YAML
// file, or from --azure-file-volume-account-name alone).
func fillAzureFileKeys(f *cmdutil.Factory, accountKey func(context.Context, string) (string, error), volumes []any) error {
	for _, v := range volumes {
		vm, _ := v.(map[string]any)
		af, _ := vm["azureFile"].(map[string]any)
		if af == nil {
			continue
		}
		if k, _ := af["storageAccountKey"].(string); k != "" {
			continue
		}
		account, _ := af["storageAccountName"].(string)
		if account == "" {
			return cmdutil.Fail("Please specify --azure-file-volume-account-name in order to use Azure File volume.")
		}
		key, err := accountKey(f.Context(), account)
		if err != nil {
			f.Warn("Looking up the key of storage account '%s' failed: %s", account, cmdutil.ErrorText(err))
			return cmdutil.Fail("Please specify --azure-file-volume-account-key in order to use Azure File volume.")
		}
		af["storageAccountKey"] = key
	}
	return nil
}
