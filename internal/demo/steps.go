package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// The Slack instances of the sandbox's acme org the story connects (see
// internal/sandbox/README.md, "The default scenario").
const (
	// slackReady meets every prerequisite.
	slackReady = "0oaqd88NE1biWUfTHYt2"
	// slackEU has provisioning on but neither "Import New Users and
	// Profile Updates" (P6) nor "Import Groups" (P7) selected.
	slackEU = "0oa8HmkgHdj4FAgOAPUP"
)

// totalSteps is how many numbered steps story announces.
const totalSteps = 8

// story runs the quickstart through the provider's main job. Each step
// checks that Terraform and the sandbox did what it announced, so that the
// demo fails loudly rather than tell a story that did not happen.
func (d *demo) story(ctx context.Context) error {
	steps := []struct {
		title string
		do    func(context.Context) error
	}{
		{"Reading the Sources Gallery and Slack's eligibility (nothing is changed)", d.readGallery},
		{"Planning a connection of two Slack instances, one of them not ready: the plan must fail", d.failingPlan},
		{"Fixing that instance in Okta (sandbox control API): Import New Users and Profile Updates, Import Groups", d.fixInstance},
		{"Planning and applying the connection", d.planAndApply},
		{"Removing an instance from the connection in the ISPM console (sandbox control API)", d.changeInConsole},
		{"Detecting the drift: terraform plan -refresh-only, then terraform plan", d.showDrift},
		{"Destroying the connection", d.destroy},
		{"Judging the same org with ISPM not configured: examples/readiness-only, with Okta credentials only", d.readinessOnly},
	}
	if len(steps) != totalSteps {
		return fmt.Errorf("the demo announces %d steps but has %d", totalSteps, len(steps))
	}
	for _, s := range steps {
		d.step++
		fmt.Fprintf(d.out, "\n==> %d/%d %s\n", d.step, totalSteps, s.title)
		if err := s.do(ctx); err != nil {
			return fmt.Errorf("step %d/%d (%s): %w", d.step, totalSteps, s.title, err)
		}
	}
	return nil
}

func (d *demo) readGallery(ctx context.Context) error {
	// apply -refresh-only reads the data sources and stores the outputs;
	// it lists the same values twice, so only terraform output is shown.
	fmt.Fprintln(d.out, "    $ terraform apply -refresh-only -auto-approve -input=false -no-color   (output hidden: the values follow)")
	out, err := d.tf.quiet(ctx, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	if !strings.Contains(out, "Apply complete!") {
		return fmt.Errorf("terraform apply -refresh-only did not complete:\n%s", out)
	}
	for _, name := range []string{"gallery", "slack_instances"} {
		if res, err := d.tf.run(ctx, "output", "-no-color", name); err != nil {
			return err
		} else if res.Code != 0 {
			return fmt.Errorf("terraform output %s exited with %d", name, res.Code)
		}
	}
	var slack map[string]struct {
		Eligible bool     `json:"eligible"`
		Failing  []string `json:"failing"`
	}
	if err := d.output(ctx, "slack_instances", &slack); err != nil {
		return err
	}
	if !slack[slackReady].Eligible || slack[slackEU].Eligible {
		return fmt.Errorf("expected Slack instance %s eligible and %s not, the outputs say %+v", slackReady, slackEU, slack)
	}
	fmt.Fprintf(d.out, "    Slack instance %s is ready; %s fails %s.\n", slackReady, slackEU, strings.Join(slack[slackEU].Failing, " and "))
	return nil
}

func (d *demo) failingPlan(ctx context.Context) error {
	fmt.Fprintf(d.out, "    slack_instance_ids = [%q, %q]\n", slackReady, slackEU)
	res, err := d.tf.run(ctx, "plan", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	if res.Code == 0 {
		return fmt.Errorf("the plan succeeded, but instance %s does not meet P6 and should have failed it", slackEU)
	}
	for _, want := range []string{slackEU, "P6", "Import New Users"} {
		if !strings.Contains(res.Output, want) {
			return fmt.Errorf("the plan failed, but its diagnostics do not mention %q", want)
		}
	}
	if n := d.slackSources(); n != 0 {
		return fmt.Errorf("the failed plan left %d Slack connection(s) in ISPM", n)
	}
	fmt.Fprintln(d.out, "    As expected: the plan failed, per instance, before anything was created in ISPM.")
	return nil
}

func (d *demo) fixInstance(ctx context.Context) error {
	acme, _ := orgInfo(d.info, "acme")
	url := acme.Control + "/apps/" + slackEU
	var st struct {
		Label          string `json:"label"`
		ImportNewUsers bool   `json:"import_new_users"`
		ImportGroups   bool   `json:"import_groups"`
	}
	if err := d.control(ctx, http.MethodPatch, url, `{"import_new_users": true, "import_groups": true}`, &st); err != nil {
		return err
	}
	if !st.ImportNewUsers || !st.ImportGroups {
		return fmt.Errorf("the sandbox did not apply the change: %+v", st)
	}
	fmt.Fprintf(d.out, "    %q now imports new users, profile updates and groups. ISPM's gallery still shows the old state\n", st.Label)
	fmt.Fprintln(d.out, "    until someone clicks Refresh Data; the provider does that through the API when Okta and ISPM disagree.")
	return nil
}

func (d *demo) planAndApply(ctx context.Context) error {
	res, err := d.tf.run(ctx, "plan", "-input=false", "-no-color", "-out=quickstart.tfplan")
	if err != nil {
		return err
	}
	if res.Code != 0 || !strings.Contains(res.Output, "1 to add") {
		return fmt.Errorf("expected a plan to add the connection, terraform plan exited with %d", res.Code)
	}
	res, err = d.tf.run(ctx, "apply", "-input=false", "-no-color", "quickstart.tfplan")
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return fmt.Errorf("terraform apply exited with %d", res.Code)
	}
	var id string
	if err := d.output(ctx, "connection_id", &id); err != nil {
		return err
	}
	src, ok := d.sb.ISPM().Source(id)
	if !ok {
		return fmt.Errorf("terraform reports connection %q, which ISPM does not have", id)
	}
	ids := src.InstanceIDs()
	slices.Sort(ids)
	if want := []string{slackEU, slackReady}; !slices.Equal(ids, sorted(want)) {
		return fmt.Errorf("ISPM connection %s has the instances %v, want %v", id, ids, sorted(want))
	}
	fmt.Fprintf(d.out, "    ISPM now has connection %s (%s) for both Slack instances.\n", id, src.Status)
	return nil
}

func (d *demo) changeInConsole(ctx context.Context) error {
	var id string
	if err := d.output(ctx, "connection_id", &id); err != nil {
		return err
	}
	url := d.info.ISPM.Control + "/sources/" + id
	var src struct {
		Instances []struct {
			ID string `json:"id"`
		} `json:"instances"`
	}
	body := fmt.Sprintf(`{"instance_ids": [%q]}`, slackReady)
	if err := d.control(ctx, http.MethodPatch, url, body, &src); err != nil {
		return err
	}
	if len(src.Instances) != 1 || src.Instances[0].ID != slackReady {
		return fmt.Errorf("the sandbox did not change the connection: %+v", src)
	}
	fmt.Fprintf(d.out, "    Connection %s now holds only %s in ISPM; Terraform's state still says two instances.\n", id, slackReady)
	return nil
}

func (d *demo) showDrift(ctx context.Context) error {
	res, err := d.tf.run(ctx, "plan", "-refresh-only", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return fmt.Errorf("terraform plan -refresh-only exited with %d", res.Code)
	}
	for _, want := range []string{"changed outside of Terraform", "instance_ids", slackEU} {
		if !strings.Contains(res.Output, want) {
			return fmt.Errorf("terraform plan -refresh-only does not mention %q", want)
		}
	}
	res, err = d.tf.run(ctx, "plan", "-input=false", "-no-color", "-detailed-exitcode")
	if err != nil {
		return err
	}
	// -detailed-exitcode: 2 means the plan has changes.
	if res.Code != 2 || !strings.Contains(res.Output, "1 to change") {
		return fmt.Errorf("expected terraform plan to change the connection (exit code 2), it exited with %d", res.Code)
	}
	fmt.Fprintln(d.out, "    terraform plan -refresh-only reported what changed in ISPM; terraform plan would add the instance back.")
	fmt.Fprintln(d.out, "    The demo does not apply that: it destroys the connection instead.")
	return nil
}

func (d *demo) destroy(ctx context.Context) error {
	res, err := d.tf.run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return fmt.Errorf("terraform destroy exited with %d", res.Code)
	}
	if n := d.slackSources(); n != 0 {
		return fmt.Errorf("after destroy ISPM still has %d Slack connection(s)", n)
	}
	fmt.Fprintln(d.out, "    ISPM has no Slack connection any more.")
	return nil
}

// output decodes the quickstart's output name.
func (d *demo) output(ctx context.Context, name string, v any) error {
	return d.tf.output(ctx, name, v)
}

// slackSources counts ISPM's Slack connections in the sandbox.
func (d *demo) slackSources() int {
	n := 0
	for _, s := range d.sb.ISPM().Sources() {
		if s.App == "slack" {
			n++
		}
	}
	return n
}

// control calls the sandbox's control API as a user would with curl,
// showing the equivalent command, and decodes the answer into v.
func (d *demo) control(ctx context.Context, method, url, body string, v any) error {
	fmt.Fprintf(d.out, "    $ curl -s -X %s %s -d '%s'\n", method, url, body)
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.http.Do(req)
	if err != nil {
		return fmt.Errorf("calling the sandbox control API: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s answered %s: %s", method, url, resp.Status, bytes.TrimSpace(raw))
	}
	return json.Unmarshal(raw, v)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
