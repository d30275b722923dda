"""The embedded Space API through the official Python `kubernetes` client (pinned by
`cargo xtask test`), each step checked on what is stored, not only on the call's success.

    python3 conformance.py scenarios KUBECONFIG   # CRUD, patches, apply, watch; prints a resourceVersion
    python3 conformance.py expired KUBECONFIG RV  # after a restart: a watch from RV is 410 Expired
"""

import sys

from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

GROUP, VERSION, PLURAL = "networking.tanzu.vmware.com", "v1alpha1", "egresspoints"
NS = "default"


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok:", what.split("\n")[0])


def egress_point(name, host, port=443, protocol="HTTPS"):
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "EgressPoint",
        "metadata": {"name": name},
        "spec": {"targets": [{"hosts": [host], "port": {"number": port, "protocol": protocol}}]},
    }


def status_of(call):
    try:
        call()
    except ApiException as e:
        return e.status, e.body
    return 200, ""


def discovery(api):
    dyn = dynamic.DynamicClient(api)
    egp = dyn.resources.get(api_version=f"{GROUP}/{VERSION}", kind="EgressPoint")
    check(egp.namespaced and egp.name == PLURAL, "dynamic discovery finds EgressPoints")
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    check(deployments.name == "deployments", "dynamic discovery finds Deployments")
    created = egp.create(body=egress_point("dyn", "dyn.example.com"), namespace=NS)
    check(created.metadata.name == "dyn", "the dynamic client creates an EgressPoint")
    listed = [i.metadata.name for i in egp.get(namespace=NS).items]
    check("dyn" in listed, f"the dynamic client lists it: {listed}")
    egp.delete(name="dyn", namespace=NS)


def crud(api):
    objects = client.CustomObjectsApi(api)
    objects.create_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, egress_point("db", "db.example.com", 5432, "TCP"))
    stored = objects.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "db")
    check(stored["spec"]["targets"][0]["port"]["number"] == 5432, "create then get returns what was sent")
    stale = dict(stored)
    stored["spec"]["targets"][0]["port"]["number"] = 6432
    objects.replace_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "db", stored)
    check(
        objects.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "db")["spec"]["targets"][0]["port"]["number"] == 6432,
        "replace stores the new port",
    )
    code, _ = status_of(lambda: objects.replace_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "db", stale))
    check(code == 409, f"a replace with a stale resourceVersion is 409 (got {code})")
    code, body = status_of(
        lambda: objects.create_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, egress_point("bad", "11.22.33.44", 443, "HTTPS"))
    )
    check(code == 422 and "spec.targets[0]" in body, f"an invalid EgressPoint is 422 naming the field (got {code})")
    objects.patch_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "db", {"metadata": {"labels": {"team": "a"}}})
    check(
        objects.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "db")["metadata"]["labels"] == {"team": "a"},
        "a merge patch adds the label",
    )
    objects.delete_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "db")
    code, _ = status_of(lambda: objects.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "db"))
    check(code == 404, "delete removes it")


def deployment():
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "two"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "two"}},
            "template": {
                "metadata": {"labels": {"app": "two"}},
                "spec": {
                    "containers": [
                        {"name": "app", "image": "app:1", "ports": [{"containerPort": 8080}]},
                        {"name": "sidecar", "image": "proxy:1"},
                    ]
                },
            },
        },
    }


def patches(api):
    apps = client.AppsV1Api(api)
    apps.create_namespaced_deployment(NS, deployment())
    # Strategic merge: the containers merge by name; the sidecar and the ports stay.
    apps.patch_namespaced_deployment(
        "two", NS, {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:2"}]}}}},
        _content_type="application/strategic-merge-patch+json",
    )
    stored = apps.read_namespaced_deployment("two", NS)
    containers = {c.name: c for c in stored.spec.template.spec.containers}
    check(set(containers) == {"app", "sidecar"}, f"strategic merge keeps the sidecar: {sorted(containers)}")
    check(containers["app"].image == "app:2" and containers["app"].ports[0].container_port == 8080, "and the ports")
    apps.patch_namespaced_deployment("two", NS, [{"op": "replace", "path": "/spec/replicas", "value": 3}], _content_type="application/json-patch+json")
    check(apps.read_namespaced_deployment("two", NS).spec.replicas == 3, "a JSON patch sets replicas")
    apps.patch_namespaced_deployment("two", NS, {"metadata": {"labels": {"tier": "web"}}}, _content_type="application/merge-patch+json")
    check(apps.read_namespaced_deployment("two", NS).metadata.labels == {"tier": "web"}, "a merge patch sets the label")
    scale = apps.read_namespaced_deployment_scale("two", NS)
    check(scale.spec.replicas == 3, "the /scale subresource reads replicas")
    apps.patch_namespaced_deployment_scale("two", NS, {"spec": {"replicas": 4}})
    stored = apps.read_namespaced_deployment("two", NS)
    check(stored.spec.replicas == 4 and stored.status.ready_replicas == 4, "scaling through /scale rolls out")


def server_side_apply(api):
    apps = client.AppsV1Api(api)
    mine = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "two"}, "spec": {"replicas": 6}}
    code, body = status_of(
        lambda: apps.patch_namespaced_deployment("two", NS, mine, field_manager="bob", _content_type="application/apply-patch+yaml")
    )
    check(code == 409 and "conflict with" in body and ".spec.replicas" in body, f"a conflicting apply is 409 naming the field (got {code})")
    check(apps.read_namespaced_deployment("two", NS).spec.replicas == 4, "and changes nothing")
    apps.patch_namespaced_deployment("two", NS, mine, field_manager="bob", force=True, _content_type="application/apply-patch+yaml")
    stored = apps.read_namespaced_deployment("two", NS)
    managers = {m.manager: m.operation for m in stored.metadata.managed_fields}
    check(stored.spec.replicas == 6 and managers.get("bob") == "Apply", f"forced, bob owns replicas: {managers}")
    check(len(stored.spec.template.spec.containers) == 2, "and the containers stay")


def watches(api):
    objects = client.CustomObjectsApi(api)
    listed = objects.list_namespaced_custom_object(GROUP, VERSION, NS, PLURAL)
    since = listed["metadata"]["resourceVersion"]
    objects.create_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, egress_point("watched", "w.example.com"))
    seen = []
    w = watch.Watch()
    for event in w.stream(objects.list_namespaced_custom_object, GROUP, VERSION, NS, PLURAL, resource_version=since, timeout_seconds=5):
        seen.append((event["type"], event["object"]["metadata"]["name"]))
        last = event["object"]["metadata"]["resourceVersion"]
        w.stop()
    check(seen == [("ADDED", "watched")], f"a watch from the list's resourceVersion sees the create: {seen}")
    objects.patch_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "watched", {"metadata": {"labels": {"x": "1"}}})
    seen = []
    w = watch.Watch()
    for event in w.stream(objects.list_namespaced_custom_object, GROUP, VERSION, NS, PLURAL, resource_version=last, timeout_seconds=5):
        seen.append(event["type"])
        w.stop()
    check(seen == ["MODIFIED"], f"resuming from the event's resourceVersion sees only what came after: {seen}")
    print("resourceVersion", last)


def expired(api, since):
    objects = client.CustomObjectsApi(api)
    w = watch.Watch()
    code = None
    try:
        for event in w.stream(objects.list_namespaced_custom_object, GROUP, VERSION, NS, PLURAL, resource_version=since, timeout_seconds=5):
            if event["type"] == "ERROR":
                code = event["raw_object"].get("code")
                break
    except ApiException as e:
        code = e.status
    check(code == 410, f"a watch from a resourceVersion the server no longer keeps is 410 (got {code})")


def main():
    mode, kubeconfig = sys.argv[1], sys.argv[2]
    api = config.new_client_from_config(config_file=kubeconfig)
    if mode == "scenarios":
        discovery(api)
        crud(api)
        patches(api)
        server_side_apply(api)
        watches(api)
    else:
        expired(api, sys.argv[3])


if __name__ == "__main__":
    main()
