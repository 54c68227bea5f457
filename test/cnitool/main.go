// SPDX-License-Identifier: Apache-2.0
// Copyright 2015 CNI authors: upstream cnitool (containernetworking/cni),
// whose command line, environment variables and container ID derivation
// this keeps; changed and extended for pflink's tests as said below.

// cnitool: a small libcni test client for pflink.
//
// It mirrors upstream containernetworking/cni's cnitool (same verbs, same
// arguments, same environment variables, same container ID derivation) so
// that the project's manual-testing instructions work with either binary.
// It exists because Debian packages the libcni library source
// (golang-github-appc-cni-dev) but not the cnitool binary.
//
// Everything goes through libcni exactly like a container runtime would:
// LoadConfList (with the single-.conf fallback), AddNetworkList /
// CheckNetworkList / DelNetworkList (typed result conversion, prevResult
// injection, on-disk result cache), GetNetworkListCachedResult,
// ValidateNetworkList and GetVersionInfo.
//
// Additions over upstream (all optional):
//
//	--json           errors go to stderr as one JSON object only; `version`
//	                 prints JSON.
//	cached NET NETNS print libcni's cached result for the attachment.
//	version NET      print what each plugin of the chain reports for VERSION
//	                 and validate the chain against the list's cniVersion.
//	CNI_CONTAINERID  override the derived container ID.
//	CNI_CACHE_DIR    libcni result cache directory (default /var/lib/cni).
//
// Exit status: 0 success, 1 error (or usage), 2 verb not supported by the
// libcni this was built against (gc, status), 3 `cached` found no cached
// result.
package main

import (
	"context"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// Environment variables (the first five are upstream cnitool's).
const (
	EnvCNIPath        = "CNI_PATH"
	EnvNetDir         = "NETCONFPATH"
	EnvCapabilityArgs = "CAP_ARGS"
	EnvCNIArgs        = "CNI_ARGS"
	EnvCNIIfname      = "CNI_IFNAME"
	EnvContainerID    = "CNI_CONTAINERID"
	EnvCacheDir       = "CNI_CACHE_DIR"

	DefaultNetDir = "/etc/cni/net.d"

	CmdAdd     = "add"
	CmdCheck   = "check"
	CmdDel     = "del"
	CmdGC      = "gc"
	CmdStatus  = "status"
	CmdVersion = "version"
	CmdCached  = "cached"

	// libcniVersion is the libcni this tool is meant to be built against
	// (Debian bookworm's golang-github-appc-cni-dev).
	libcniVersion = "1.1.2"

	exitOK          = 0
	exitErr         = 1
	exitUnsupported = 2
	exitNotCached   = 3
)

var jsonOut bool

func main() {
	var args []string
	for _, a := range os.Args[1:] {
		switch a {
		case "--json", "-json":
			jsonOut = true
		case "-h", "--help", "help":
			usage(exitOK)
		default:
			args = append(args, a)
		}
	}
	if len(args) < 1 {
		usage(exitErr)
	}
	cmd := args[0]

	switch cmd {
	case CmdGC, CmdStatus:
		// libcni 1.1.2 has neither GCNetworkList nor GetStatusNetworkList
		// (both arrived with CNI spec 1.1.0 / libcni 1.2.0).
		msg := fmt.Sprintf("cnitool: %q is not supported: this cnitool is built against libcni %s, which predates the CNI %s verb (added in spec 1.1.0 / libcni 1.2.0); invoke the plugin directly to test %s",
			cmd, libcniVersion, strings.ToUpper(cmd), strings.ToUpper(cmd))
		if jsonOut {
			printJSON(os.Stderr, map[string]interface{}{"msg": msg})
		} else {
			fmt.Fprintln(os.Stderr, msg)
		}
		os.Exit(exitUnsupported)
	case CmdVersion:
		if len(args) < 2 {
			toolVersion()
		}
	case CmdAdd, CmdCheck, CmdDel, CmdCached:
		if len(args) < 3 {
			usage(exitErr)
		}
	default:
		fmt.Fprintf(os.Stderr, "cnitool: unknown command %q\n", cmd)
		usage(exitErr)
	}

	netdir := os.Getenv(EnvNetDir)
	if netdir == "" {
		netdir = DefaultNetDir
	}
	// LoadConfList looks at *.conflist first, then falls back to a single
	// *.conf / *.json network upconverted with ConfListFromConf.
	netconf, err := libcni.LoadConfList(netdir, args[1])
	if err != nil {
		exit(err)
	}

	cninet := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(os.Getenv(EnvCNIPath)), os.Getenv(EnvCacheDir), nil)
	ctx := context.Background()

	if cmd == CmdVersion {
		pluginVersions(ctx, cninet, netconf)
	}

	rt, err := runtimeConf(args[2])
	if err != nil {
		exit(err)
	}

	switch cmd {
	case CmdAdd:
		result, err := cninet.AddNetworkList(ctx, netconf, rt)
		if result != nil {
			printResult(result)
		}
		exit(err)
	case CmdCheck:
		exit(cninet.CheckNetworkList(ctx, netconf, rt))
	case CmdDel:
		exit(cninet.DelNetworkList(ctx, netconf, rt))
	case CmdCached:
		result, err := cninet.GetNetworkListCachedResult(netconf, rt)
		if err != nil {
			exit(err)
		}
		if result == nil {
			dir := os.Getenv(EnvCacheDir)
			if dir == "" {
				dir = libcni.CacheDir
			}
			fmt.Fprintf(os.Stderr, "cnitool: no cached result for network %q, container %q, ifname %q in %s\n",
				netconf.Name, rt.ContainerID, rt.IfName, dir)
			os.Exit(exitNotCached)
		}
		printResult(result)
		exit(nil)
	}
}

func runtimeConf(netnsArg string) (*libcni.RuntimeConf, error) {
	var capabilityArgs map[string]interface{}
	if v := os.Getenv(EnvCapabilityArgs); len(v) > 0 {
		if err := json.Unmarshal([]byte(v), &capabilityArgs); err != nil {
			return nil, fmt.Errorf("invalid %s: %w", EnvCapabilityArgs, err)
		}
	}

	var cniArgs [][2]string
	if v := os.Getenv(EnvCNIArgs); len(v) > 0 {
		var err error
		if cniArgs, err = parseArgs(v); err != nil {
			return nil, err
		}
	}

	ifName, ok := os.LookupEnv(EnvCNIIfname)
	if !ok {
		ifName = "eth0"
	}

	netns, err := filepath.Abs(netnsArg)
	if err != nil {
		return nil, err
	}

	containerID := os.Getenv(EnvContainerID)
	if containerID == "" {
		// Same derivation as upstream cnitool: hash of the netns path.
		s := sha512.Sum512([]byte(netns))
		containerID = fmt.Sprintf("cnitool-%x", s[:10])
	}

	return &libcni.RuntimeConf{
		ContainerID:    containerID,
		NetNS:          netns,
		IfName:         ifName,
		Args:           cniArgs,
		CapabilityArgs: capabilityArgs,
	}, nil
}

// parseArgs parses CNI_ARGS "K=V;K=V" like upstream cnitool, except that a
// value may itself contain '='.
func parseArgs(args string) ([][2]string, error) {
	var result [][2]string
	for _, pair := range strings.Split(args, ";") {
		kv := strings.SplitN(pair, "=", 2)
		if len(kv) != 2 || kv[0] == "" || kv[1] == "" {
			return nil, fmt.Errorf("invalid CNI_ARGS pair %q", pair)
		}
		result = append(result, [2]string{kv[0], kv[1]})
	}
	return result, nil
}

type pluginVersion struct {
	Type              string   `json:"type"`
	SupportedVersions []string `json:"supportedVersions,omitempty"`
	Error             string   `json:"error,omitempty"`
}

// pluginVersions prints each chained plugin's VERSION answer, then validates
// the whole list against its cniVersion (exit 1 if invalid).
func pluginVersions(ctx context.Context, cninet *libcni.CNIConfig, netconf *libcni.NetworkConfigList) {
	var out []pluginVersion
	for _, p := range netconf.Plugins {
		pv := pluginVersion{Type: p.Network.Type}
		if info, err := cninet.GetVersionInfo(ctx, p.Network.Type); err != nil {
			pv.Error = err.Error()
		} else {
			pv.SupportedVersions = info.SupportedVersions()
		}
		out = append(out, pv)
	}
	caps, verr := cninet.ValidateNetworkList(ctx, netconf)
	sort.Strings(caps)

	if jsonOut {
		doc := map[string]interface{}{
			"name":       netconf.Name,
			"cniVersion": netconf.CNIVersion,
			"plugins":    out,
			"valid":      verr == nil,
		}
		if verr == nil {
			doc["capabilities"] = caps
		} else {
			doc["error"] = verr.Error()
		}
		printJSON(os.Stdout, doc)
		if verr != nil {
			os.Exit(exitErr)
		}
		os.Exit(exitOK)
	}

	fmt.Printf("network %q cniVersion %s\n", netconf.Name, netconf.CNIVersion)
	for _, pv := range out {
		if pv.Error != "" {
			fmt.Printf("  %s: error: %s\n", pv.Type, pv.Error)
		} else {
			fmt.Printf("  %s: %s\n", pv.Type, strings.Join(pv.SupportedVersions, " "))
		}
	}
	if verr != nil {
		exit(fmt.Errorf("invalid network list: %w", verr))
	}
	if len(caps) > 0 {
		fmt.Printf("capabilities: %s\n", strings.Join(caps, " "))
	}
	os.Exit(exitOK)
}

func toolVersion() {
	if jsonOut {
		printJSON(os.Stdout, map[string]interface{}{
			"libcni":            libcniVersion,
			"supportedVersions": version.All.SupportedVersions(),
		})
	} else {
		fmt.Printf("cnitool (pflink test client) built against libcni %s\n", libcniVersion)
		fmt.Printf("CNI spec versions: %s\n", strings.Join(version.All.SupportedVersions(), " "))
	}
	os.Exit(exitOK)
}

func usage(code int) {
	exe := filepath.Base(os.Args[0])
	w := os.Stderr
	if code == exitOK {
		w = os.Stdout
	}
	fmt.Fprintf(w, "%s: add, check, remove, gc or status network interfaces from a network namespace (libcni %s)\n", exe, libcniVersion)
	fmt.Fprintf(w, "  %s [--json] add     <net> <netns>\n", exe)
	fmt.Fprintf(w, "  %s [--json] check   <net> <netns>\n", exe)
	fmt.Fprintf(w, "  %s [--json] del     <net> <netns>\n", exe)
	fmt.Fprintf(w, "  %s [--json] gc      <net> <netns>   (unsupported by libcni %s: exits 2)\n", exe, libcniVersion)
	fmt.Fprintf(w, "  %s [--json] status  <net> <netns>   (unsupported by libcni %s: exits 2)\n", exe, libcniVersion)
	fmt.Fprintf(w, "  %s [--json] version [<net> [<netns>]]\n", exe)
	fmt.Fprintf(w, "  %s [--json] cached  <net> <netns>\n", exe)
	fmt.Fprintf(w, "env: NETCONFPATH CNI_PATH CNI_IFNAME CNI_ARGS CAP_ARGS CNI_CONTAINERID CNI_CACHE_DIR\n")
	os.Exit(code)
}

// printResult prints a result the way upstream cnitool does (Result.Print:
// indented JSON in the result's own version), plus a trailing newline.
func printResult(result types.Result) {
	if err := result.Print(); err != nil {
		exit(err)
	}
	fmt.Println()
}

func printJSON(w *os.File, v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cnitool: marshal: %v\n", err)
		os.Exit(exitErr)
	}
	fmt.Fprintf(w, "%s\n", b)
}

// exit terminates: 0 on nil; otherwise prints the error and exits 1. If a
// plugin's CNI error (*types.Error) is anywhere in the wrap chain, its JSON
// {code,msg,details} is printed too (alone, in --json mode).
func exit(err error) {
	if err == nil {
		os.Exit(exitOK)
	}
	var cniErr *types.Error
	isCNI := errors.As(err, &cniErr)
	switch {
	case jsonOut && isCNI:
		printJSON(os.Stderr, cniErr)
	case jsonOut:
		// Not a plugin error (config not found, exec failure, ...):
		// no "code" key, so `.code` is null.
		printJSON(os.Stderr, map[string]string{"msg": err.Error()})
	default:
		fmt.Fprintf(os.Stderr, "%s\n", err)
		if isCNI {
			printJSON(os.Stderr, cniErr)
		}
	}
	os.Exit(exitErr)
}
