// Command aws-auth-oracle answers questions about aws-auth with the released upstream code, for
// the differential tests: how aws-iam-authenticator reads a ConfigMap's data (ParseMap, Validate)
// and whom it maps a caller to (Canonicalize, Key, Matches, the account list), and what eksctl's
// iamidentitymapping commands make of it (pkg/actions/iamidentitymapping and pkg/authconfigmap,
// on client-go's fake clientset).
//
// It reads one JSON request per line on standard input and writes one JSON answer per line.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	awsarn "github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/kris-nova/logger"
	"github.com/sirupsen/logrus"
	mappingactions "github.com/weaveworks/eksctl/pkg/actions/iamidentitymapping"
	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"
	"github.com/weaveworks/eksctl/pkg/authconfigmap"
	"github.com/weaveworks/eksctl/pkg/iam"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/aws-iam-authenticator/pkg/arn"
	"sigs.k8s.io/aws-iam-authenticator/pkg/config"
	"sigs.k8s.io/aws-iam-authenticator/pkg/mapper/configmap"
)

type caller struct {
	ARN               string `json:"arn"`
	UserID            string `json:"userId"`
	AccessKeyID       string `json:"accessKeyId"`
	EC2PrivateDNSName string `json:"ec2PrivateDnsName"`
}

type edit struct {
	ARN             string   `json:"arn"`
	Username        string   `json:"username"`
	Groups          []string `json:"groups"`
	NoDuplicateARNs bool     `json:"noDuplicateArns"`
	Account         string   `json:"account"`
	All             bool     `json:"all"`
	Delete          bool     `json:"delete"`
	ServiceName     string   `json:"serviceName"`
	ClusterAccount  string   `json:"clusterAccount"`
	Partition       string   `json:"partition"`
}

type request struct {
	Op      string            `json:"op"`
	Data    map[string]string `json:"data"`
	Callers []caller          `json:"callers"`
	Edit    *edit             `json:"edit"`
}

type identity struct {
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
	Source   string   `json:"source"`
	Error    string   `json:"error,omitempty"`
}

type resolution struct {
	CanonicalARN string     `json:"canonicalArn,omitempty"`
	Error        string     `json:"error,omitempty"`
	Identities   []identity `json:"identities"`
}

func main() {
	// EKS runs the authenticator with SSO role matching on (cmd/aws-iam-authenticator/root.go sets it).
	config.SSORoleMatchEnabled = true
	// Standard output carries the answers only: eksctl's and the authenticator's logs go to standard error.
	logger.Writer = os.Stderr
	logrus.SetOutput(os.Stderr)
	logrus.SetLevel(logrus.ErrorLevel)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var req request
		var answer interface{}
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			answer = map[string]string{"fatal": err.Error()}
		} else {
			answer = handle(req)
		}
		if err := out.Encode(answer); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func handle(req request) interface{} {
	switch req.Op {
	case "parse":
		users, roles, accounts, err := configmap.ParseMap(req.Data)
		return map[string]interface{}{"mapUsers": users, "mapRoles": roles, "mapAccounts": accounts, "error": errText(err)}
	case "resolve":
		return resolve(req.Data, req.Callers)
	case "eksctl":
		return eksctl(req.Data, req.Edit)
	}
	return map[string]string{"fatal": "unknown op " + req.Op}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// resolve keys the valid entries as MapStore.saveMap does (configmap.go) and looks callers up as
// ConfigMapMapper.Map and the server's doMapping do. The store iterates a Go map, so when several
// entries match, any of them may win: every one is returned, sorted.
func resolve(data map[string]string, callers []caller) []resolution {
	users, roles, accounts, _ := configmap.ParseMap(data)
	roleByKey := map[string]config.RoleMapping{}
	roleSource := map[string]int{}
	for i, r := range roles {
		roleByKey[r.Key()] = r
		roleSource[r.Key()] = i
	}
	userByKey := map[string]config.UserMapping{}
	userSource := map[string]int{}
	for i, u := range users {
		userByKey[u.Key()] = u
		userSource[u.Key()] = i
	}
	accountSet := map[string]bool{}
	for _, a := range accounts {
		accountSet[a] = true
	}
	results := make([]resolution, 0, len(callers))
	for _, c := range callers {
		principal, canonical, err := arn.Canonicalize(c.ARN)
		if err != nil {
			results = append(results, resolution{Error: err.Error(), Identities: []identity{}})
			continue
		}
		parsed, _ := awsarn.Parse(c.ARN)
		// As getIdentityFromSTSResponse (pkg/token/token.go) takes the session name: from the
		// user ID of roles and sessions only.
		session := ""
		if principal != arn.FEDERATED_USER && principal != arn.USER && principal != arn.ROOT {
			parts := strings.Split(c.UserID, ":")
			if len(parts) != 2 {
				results = append(results, resolution{Error: fmt.Sprintf("malformed UserID %q", c.UserID), Identities: []identity{}})
				continue
			}
			session = parts[1]
		}
		subject := strings.ToLower(canonical)
		found := []identity{}
		for key, r := range roleByKey {
			if r.Matches(subject) {
				found = append(found, render(r.Username, r.Groups, fmt.Sprintf("mapRoles:%d", roleSource[key]), parsed.AccountID, session, c))
			}
		}
		if len(found) == 0 {
			for key, u := range userByKey {
				if u.Matches(subject) {
					found = append(found, render(u.Username, u.Groups, fmt.Sprintf("mapUsers:%d", userSource[key]), parsed.AccountID, session, c))
				}
			}
		}
		if len(found) == 0 && accountSet[parsed.AccountID] {
			found = append(found, identity{Username: canonical, Groups: []string{}, Source: "mapAccounts"})
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Source < found[j].Source })
		results = append(results, resolution{CanonicalARN: canonical, Identities: found})
	}
	return results
}

var instanceIDPattern = regexp.MustCompile(`^i-(\w{8}|\w{17})$`)

// render expands templates as the server's renderTemplates/renderTemplate (pkg/server/server.go) do;
// the instance's private DNS name comes from the request instead of EC2.
func render(username string, groups []string, source, account, session string, c caller) identity {
	expand := func(t string) (string, error) {
		if strings.Contains(t, "{{EC2PrivateDNSName}}") {
			if !instanceIDPattern.MatchString(session) {
				return "", fmt.Errorf("SessionName did not contain an instance id")
			}
			if c.EC2PrivateDNSName == "" {
				return "", fmt.Errorf("no private DNS name")
			}
			t = strings.ReplaceAll(t, "{{EC2PrivateDNSName}}", c.EC2PrivateDNSName)
		}
		t = strings.ReplaceAll(t, "{{AccountID}}", account)
		t = strings.ReplaceAll(t, "{{SessionName}}", strings.ReplaceAll(session, "@", "-"))
		t = strings.ReplaceAll(t, "{{SessionNameRaw}}", session)
		t = strings.ReplaceAll(t, "{{AccessKeyID}}", c.AccessKeyID)
		return t, nil
	}
	name, err := expand(username)
	if err != nil {
		return identity{Source: source, Error: err.Error(), Groups: []string{}}
	}
	out := identity{Username: name, Groups: []string{}, Source: source}
	for _, g := range groups {
		group, err := expand(g)
		if err != nil {
			return identity{Source: source, Error: err.Error(), Groups: []string{}}
		}
		out.Groups = append(out.Groups, group)
	}
	return out
}

// eksctl runs one `eksctl create|delete iamidentitymapping` on a fake cluster holding the data.
func eksctl(data map[string]string, e *edit) map[string]interface{} {
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: authconfigmap.ObjectName, Namespace: authconfigmap.ObjectNamespace, UID: "oracle"},
		Data:       data,
	}
	clientSet := fake.NewSimpleClientset(cm)
	ctx := context.Background()
	var err error
	switch {
	case e == nil:
		err = fmt.Errorf("no edit")
	case e.ServiceName != "":
		err = grantService(clientSet, e)
	case e.Delete:
		err = deleteMapping(clientSet, e)
	default:
		cfg := api.NewClusterConfig()
		mapping := &api.IAMIdentityMapping{ARN: e.ARN, Username: e.Username, Groups: e.Groups, Account: e.Account, NoDuplicateARNs: e.NoDuplicateARNs}
		if err = mapping.Validate(); err == nil {
			var m *mappingactions.Manager
			m, err = mappingactions.New(cfg, clientSet, nil, "us-west-2")
			if err == nil {
				err = m.Create(ctx, mapping)
			}
		}
	}
	after, getErr := clientSet.CoreV1().ConfigMaps(authconfigmap.ObjectNamespace).Get(ctx, authconfigmap.ObjectName, metav1.GetOptions{})
	if getErr != nil {
		return map[string]interface{}{"error": errText(err), "fatal": getErr.Error()}
	}
	return map[string]interface{}{"error": errText(err), "data": after.Data}
}

// deleteMapping is the body of eksctl's doDeleteIAMIdentityMapping (pkg/ctl/delete/iamidentitymapping.go).
func deleteMapping(clientSet *fake.Clientset, e *edit) error {
	if e.ARN == "" && e.Account == "" || e.ARN != "" && e.Account != "" {
		return fmt.Errorf("either --arn or --account must be set")
	}
	acm, err := authconfigmap.NewFromClientSet(clientSet)
	if err != nil {
		return err
	}
	if e.Account != "" {
		err = acm.RemoveAccount(e.Account)
	} else {
		err = acm.RemoveIdentity(e.ARN, e.All)
	}
	if err != nil {
		return err
	}
	return acm.Save()
}

// grantService is ServiceAccess.Grant (pkg/authconfigmap/service_access.go) without applying the
// RBAC objects (the tests compare those with the embedded asset itself).
func grantService(clientSet *fake.Clientset, e *edit) error {
	if e.ServiceName != "emr-containers" {
		return fmt.Errorf("invalid service name %q", e.ServiceName)
	}
	acm, err := authconfigmap.NewFromClientSet(clientSet)
	if err != nil {
		return err
	}
	role := &iam.RoleIdentity{
		RoleARN:            fmt.Sprintf("arn:%s:iam::%s:role/%s", e.Partition, e.ClusterAccount, "AWSServiceRoleForAmazonEMRContainers"),
		KubernetesIdentity: iam.KubernetesIdentity{KubernetesUsername: "emr-containers"},
	}
	err = acm.AddIdentityIfNotPresent(role, func(identity iam.Identity) bool {
		return identity.ARN() == role.ARN() && identity.Username() == role.Username()
	})
	if err != nil {
		return err
	}
	return acm.Save()
}
