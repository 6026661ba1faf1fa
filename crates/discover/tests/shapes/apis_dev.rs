//! Models of developer-platform APIs whose paths carry names: GitHub,
//! GitLab, Kubernetes, the Docker registry, npm, PyPI, Jira, Confluence.
//!
//! Written from memory of their public documentation: not exhaustive, but
//! the paths, the kinds of values in them and the literal words beside
//! parameters (`/user`, `/issues/comments`, `/releases/latest`,
//! `/issue/createmeta`) are theirs. Request counts are rough guesses of
//! how clients use them: a few endpoints take most traffic, many see a
//! handful of requests.

use super::model::{delete, get, head, param, patch, post, put, Endpoint, Model, Param, Shape};
use super::values::Kind;
use Shape::*;

const USER: Shape = Obj(&[("login", Str), ("id", Int), ("name", Str), ("email", Email), ("created_at", DateTime)]);
const REPO: Shape = Obj(&[("id", Int), ("name", Str), ("full_name", Str), ("private", Bool), ("owner", USER), ("stargazers_count", Int)]);
const ISSUE: Shape = Obj(&[("id", Int), ("number", Int), ("title", Str), ("state", Str), ("user", USER), ("labels", List(&Str))]);
const COMMENT: Shape = Obj(&[("id", Int), ("body", Str), ("user", USER), ("created_at", DateTime)]);
const PULL: Shape = Obj(&[("id", Int), ("number", Int), ("title", Str), ("merged", Bool), ("head", Obj(&[("ref", Str), ("sha", Str)]))]);
const COMMIT: Shape = Obj(&[("sha", Str), ("commit", Obj(&[("message", Str), ("author", Obj(&[("name", Str), ("email", Email)]))]))]);
const CONTENT: Shape = Obj(&[("name", Str), ("path", Str), ("sha", Str), ("size", Int), ("type", Str), ("content", Str)]);
const RELEASE: Shape = Obj(&[("id", Int), ("tag_name", Str), ("name", Str), ("draft", Bool), ("assets", List(&Obj(&[("name", Str), ("size", Int)])))]);
const ORG: Shape = Obj(&[("login", Str), ("id", Int), ("description", Str), ("public_repos", Int)]);
const SEARCH: Shape = Obj(&[("total_count", Int), ("incomplete_results", Bool), ("items", List(&REPO))]);

const GITHUB_PARAMS: &[Param] = &[
    param("username", Kind::Username, 400),
    // Owners are the users and organisations seen elsewhere.
    param("owner", Kind::Either(&[Kind::Same("username"), Kind::Same("org")]), 60),
    param("org", Kind::OrgName, 25),
    param("repo", Kind::Repo, 120),
    param("issue_number", Kind::Int(1, 6000), 0),
    param("pull_number", Kind::Int(1, 6000), 0),
    param("comment_id", Kind::Int(100_000_000, 2_000_000_000), 0),
    param("ref", Kind::Either(&[Kind::Hex(40), Kind::Branch]), 200),
    param("path", Kind::RepoPath, 18),
    param("branch", Kind::Branch, 30),
    param("tag", Kind::Tag, 40),
    param("release_id", Kind::Int(1_000_000, 90_000_000), 0),
];

const GITHUB_ENDPOINTS: &[Endpoint] = &[
    get("/user", 300, USER),
    get("/user/repos", 120, List(&REPO)),
    get("/user/orgs", 20, List(&ORG)),
    get("/users/{username}", 250, USER),
    get("/users/{username}/repos", 90, List(&REPO)),
    get("/users/{username}/followers", 15, List(&USER)),
    get("/orgs/{org}", 40, ORG),
    get("/orgs/{org}/repos", 60, List(&REPO)),
    get("/orgs/{org}/members", 12, List(&USER)),
    get("/repos/{owner}/{repo}", 400, REPO),
    patch("/repos/{owner}/{repo}", 4, Obj(&[("description", Str)]), REPO),
    get("/repos/{owner}/{repo}/issues", 200, List(&ISSUE)).query(&[("state", Kind::OneOf(&["open", "closed", "all"])), ("page", Kind::Int(1, 20))]),
    post("/repos/{owner}/{repo}/issues", 25, Obj(&[("title", Str), ("body", Str)]), ISSUE),
    get("/repos/{owner}/{repo}/issues/{issue_number}", 180, ISSUE),
    patch("/repos/{owner}/{repo}/issues/{issue_number}", 20, Obj(&[("state", Str)]), ISSUE),
    get("/repos/{owner}/{repo}/issues/{issue_number}/comments", 60, List(&COMMENT)),
    post("/repos/{owner}/{repo}/issues/{issue_number}/comments", 30, Obj(&[("body", Str)]), COMMENT),
    get("/repos/{owner}/{repo}/issues/comments", 8, List(&COMMENT)),
    get("/repos/{owner}/{repo}/issues/comments/{comment_id}", 5, COMMENT),
    get("/repos/{owner}/{repo}/pulls", 90, List(&PULL)),
    get("/repos/{owner}/{repo}/pulls/{pull_number}", 70, PULL),
    get("/repos/{owner}/{repo}/pulls/{pull_number}/files", 20, List(&CONTENT)),
    get("/repos/{owner}/{repo}/commits/{ref}", 50, COMMIT),
    get("/repos/{owner}/{repo}/contents/{path}", 60, CONTENT),
    get("/repos/{owner}/{repo}/branches/{branch}", 25, Obj(&[("name", Str), ("protected", Bool), ("commit", COMMIT)])),
    get("/repos/{owner}/{repo}/releases/latest", 10, RELEASE),
    get("/repos/{owner}/{repo}/releases/{release_id}", 12, RELEASE),
    get("/repos/{owner}/{repo}/releases/tags/{tag}", 6, RELEASE),
    get("/search/repositories", 80, SEARCH).query(&[("q", Kind::Word), ("sort", Kind::OneOf(&["stars", "updated"]))]),
    get("/search/issues", 30, Obj(&[("total_count", Int), ("items", List(&ISSUE))])).query(&[("q", Kind::Word)]),
    get("/rate_limit", 40, Obj(&[("resources", Obj(&[("core", Obj(&[("limit", Int), ("remaining", Int)]))]))])),
];

pub const GITHUB: Model = Model::new("github", 0x6017, GITHUB_PARAMS, GITHUB_ENDPOINTS);

const PROJECT: Shape = Obj(&[("id", Int), ("name", Str), ("path_with_namespace", Str), ("default_branch", Str), ("web_url", Url)]);
const MR: Shape = Obj(&[("id", Int), ("iid", Int), ("title", Str), ("state", Str), ("author", Obj(&[("username", Str), ("id", Int)]))]);
const NOTE: Shape = Obj(&[("id", Int), ("body", Str), ("system", Bool)]);
const PIPELINE: Shape = Obj(&[("id", Int), ("status", Str), ("ref", Str), ("sha", Str)]);
const JOB: Shape = Obj(&[("id", Int), ("name", Str), ("stage", Str), ("status", Str)]);

const GITLAB_PARAMS: &[Param] = &[
    param("id", Kind::Either(&[Kind::Int(1, 60_000_000), Kind::EncodedPath]), 80),
    param("group", Kind::Either(&[Kind::Int(1, 9_000_000), Kind::OrgName]), 20),
    param("merge_request_iid", Kind::Int(1, 3000), 0),
    param("issue_iid", Kind::Int(1, 5000), 0),
    param("pipeline_id", Kind::Int(100_000_000, 999_999_999), 0),
    param("job_id", Kind::Int(1_000_000_000, 9_999_999_999), 0),
    param("branch", Kind::Branch, 30),
    param("file_path", Kind::Either(&[Kind::RepoPath, Kind::OneOf(&["src%2Fmain.rs", "lib%2Fapp.rb", "docs%2Findex.md"])]), 20),
    param("tag_name", Kind::Tag, 20),
    param("user_id", Kind::Int(1, 20_000_000), 300),
];

const GITLAB_ENDPOINTS: &[Endpoint] = &[
    get("/api/v4/projects", 100, List(&PROJECT)).query(&[("membership", Kind::OneOf(&["true"])), ("per_page", Kind::Int(20, 100))]),
    get("/api/v4/projects/{id}", 200, PROJECT),
    get("/api/v4/projects/{id}/merge_requests", 80, List(&MR)).query(&[("state", Kind::OneOf(&["opened", "merged"]))]),
    get("/api/v4/projects/{id}/merge_requests/{merge_request_iid}", 120, MR),
    put("/api/v4/projects/{id}/merge_requests/{merge_request_iid}", 10, Obj(&[("title", Str)]), MR),
    get("/api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes", 30, List(&NOTE)),
    post("/api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes", 15, Obj(&[("body", Str)]), NOTE),
    get("/api/v4/projects/{id}/merge_requests/{merge_request_iid}/changes", 20, Obj(&[("changes", List(&Obj(&[("old_path", Str), ("diff", Str)])))])),
    get("/api/v4/projects/{id}/issues", 50, List(&Obj(&[("iid", Int), ("title", Str)]))),
    get("/api/v4/projects/{id}/issues/{issue_iid}", 40, Obj(&[("iid", Int), ("title", Str), ("state", Str)])),
    get("/api/v4/projects/{id}/pipelines", 60, List(&PIPELINE)),
    get("/api/v4/projects/{id}/pipelines/{pipeline_id}", 50, PIPELINE),
    get("/api/v4/projects/{id}/pipelines/{pipeline_id}/jobs", 30, List(&JOB)),
    get("/api/v4/projects/{id}/jobs/{job_id}/trace", 20, Str),
    post("/api/v4/projects/{id}/jobs/{job_id}/retry", 4, Empty, JOB),
    get("/api/v4/projects/{id}/repository/branches", 15, List(&Obj(&[("name", Str), ("merged", Bool)]))),
    get("/api/v4/projects/{id}/repository/branches/{branch}", 10, Obj(&[("name", Str), ("merged", Bool)])),
    get("/api/v4/projects/{id}/repository/files/{file_path}", 15, Obj(&[("file_name", Str), ("content", Str)])).query(&[("ref", Kind::OneOf(&["main", "master"]))]),
    get("/api/v4/projects/{id}/repository/tags/{tag_name}", 4, Obj(&[("name", Str), ("message", Str)])),
    get("/api/v4/groups/{group}/projects", 20, List(&PROJECT)),
    get("/api/v4/users/{user_id}", 20, Obj(&[("id", Int), ("username", Str), ("state", Str)])),
    get("/api/v4/user", 100, Obj(&[("id", Int), ("username", Str), ("email", Email)])),
    get("/api/v4/version", 5, Obj(&[("version", Str), ("revision", Str)])),
];

pub const GITLAB: Model = Model::new("gitlab", 0x6171, GITLAB_PARAMS, GITLAB_ENDPOINTS);

const K8S_META: Shape = Obj(&[("name", Str), ("namespace", Str), ("uid", Uuid), ("resourceVersion", Str), ("creationTimestamp", DateTime)]);
const POD: Shape = Obj(&[("kind", Str), ("apiVersion", Str), ("metadata", K8S_META), ("spec", Obj(&[("nodeName", Str), ("containers", List(&Obj(&[("name", Str), ("image", Str)])))])), ("status", Obj(&[("phase", Str), ("podIP", Str)]))]);
const K8S_LIST: Shape = Obj(&[("kind", Str), ("apiVersion", Str), ("metadata", Obj(&[("resourceVersion", Str)])), ("items", List(&POD))]);
const DEPLOYMENT: Shape = Obj(&[("kind", Str), ("metadata", K8S_META), ("spec", Obj(&[("replicas", Int)])), ("status", Obj(&[("readyReplicas", Int), ("availableReplicas", Int)]))]);
const SCALE: Shape = Obj(&[("kind", Str), ("metadata", K8S_META), ("spec", Obj(&[("replicas", Int)]))]);
const CONFIGMAP: Shape = Obj(&[("kind", Str), ("metadata", K8S_META), ("data", Obj(&[("config.yaml", Str)]))]);
const GENERIC: Shape = Obj(&[("kind", Str), ("metadata", K8S_META), ("spec", Obj(&[]))]);

const K8S_PARAMS: &[Param] = &[
    param("namespace", Kind::Namespace, 8),
    param("pod", Kind::PodName, 150),
    param("service", Kind::Kebab, 25),
    param("configmap", Kind::Either(&[Kind::Kebab, Kind::OneOf(&["kube-root-ca.crt", "coredns", "argo-workflow-controller-configmap"])]), 30),
    param("secret", Kind::Either(&[Kind::Kebab, Kind::Slug]), 30),
    param("node", Kind::NodeName, 12),
    param("deployment", Kind::Kebab, 30),
    param("statefulset", Kind::OneOf(&["postgres", "redis-master", "kafka", "zookeeper", "elasticsearch"]), 5),
    param("job", Kind::Either(&[Kind::Kebab, Kind::Slug]), 0),
    param("workflow", Kind::Slug, 0),
];

const K8S_ENDPOINTS: &[Endpoint] = &[
    get("/api/v1/namespaces", 30, K8S_LIST),
    get("/api/v1/namespaces/{namespace}", 20, GENERIC),
    get("/api/v1/namespaces/{namespace}/pods", 300, K8S_LIST).query(&[("labelSelector", Kind::Kebab), ("limit", Kind::Int(50, 500))]),
    get("/api/v1/namespaces/{namespace}/pods/{pod}", 200, POD),
    delete("/api/v1/namespaces/{namespace}/pods/{pod}", 15).status(200),
    get("/api/v1/namespaces/{namespace}/pods/{pod}/log", 120, Str).query(&[("container", Kind::Kebab), ("tailLines", Kind::Int(10, 1000))]),
    get("/api/v1/namespaces/{namespace}/services", 40, K8S_LIST),
    get("/api/v1/namespaces/{namespace}/services/{service}", 30, GENERIC),
    get("/api/v1/namespaces/{namespace}/configmaps/{configmap}", 40, CONFIGMAP),
    put("/api/v1/namespaces/{namespace}/configmaps/{configmap}", 5, CONFIGMAP, CONFIGMAP),
    get("/api/v1/namespaces/{namespace}/secrets/{secret}", 25, GENERIC),
    get("/api/v1/namespaces/{namespace}/events", 50, K8S_LIST),
    get("/api/v1/nodes", 30, K8S_LIST),
    get("/api/v1/nodes/{node}", 15, GENERIC),
    get("/apis/apps/v1/namespaces/{namespace}/deployments", 80, K8S_LIST),
    get("/apis/apps/v1/namespaces/{namespace}/deployments/{deployment}", 100, DEPLOYMENT),
    patch("/apis/apps/v1/namespaces/{namespace}/deployments/{deployment}", 20, Obj(&[("spec", Obj(&[("replicas", Int)]))]), DEPLOYMENT),
    get("/apis/apps/v1/namespaces/{namespace}/deployments/{deployment}/scale", 8, SCALE),
    put("/apis/apps/v1/namespaces/{namespace}/deployments/{deployment}/scale", 4, SCALE, SCALE),
    get("/apis/apps/v1/namespaces/{namespace}/statefulsets/{statefulset}", 10, GENERIC),
    get("/apis/batch/v1/namespaces/{namespace}/jobs/{job}", 12, GENERIC),
    get("/apis/argoproj.io/v1alpha1/namespaces/{namespace}/workflows/{workflow}", 15, GENERIC),
    get("/apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses", 6, K8S_LIST),
    get("/healthz", 60, Empty),
    get("/version", 10, Obj(&[("major", Str), ("minor", Str), ("gitVersion", Str)])),
    get("/openapi/v2", 3, Obj(&[("swagger", Str), ("paths", Obj(&[]))])),
];

pub const KUBERNETES: Model = Model::new("kubernetes", 0x08c5, K8S_PARAMS, K8S_ENDPOINTS);

const MANIFEST: Shape = Obj(&[("schemaVersion", Int), ("mediaType", Str), ("config", Obj(&[("digest", Str), ("size", Int)])), ("layers", List(&Obj(&[("digest", Str), ("size", Int)])))]);
const TAGS: Shape = Obj(&[("name", Str), ("tags", List(&Str))]);

const REGISTRY_PARAMS: &[Param] = &[
    param("namespace", Kind::OneOf(&["library", "bitnami", "grafana", "myorg", "ci", "team-a"]), 6),
    param("repository", Kind::Either(&[Kind::OneOf(&["nginx", "redis", "postgres", "node", "python", "alpine", "ubuntu", "golang", "busybox", "traefik"]), Kind::Kebab]), 40),
    param("reference", Kind::Either(&[Kind::Tag, Kind::Digest]), 120),
    param("digest", Kind::Digest, 400),
    param("uuid", Kind::Uuid, 0),
];

const REGISTRY_ENDPOINTS: &[Endpoint] = &[
    get("/v2/", 50, Obj(&[])),
    get("/v2/_catalog", 10, Obj(&[("repositories", List(&Str))])),
    get("/v2/{namespace}/{repository}/tags/list", 120, TAGS),
    get("/v2/{namespace}/{repository}/manifests/{reference}", 400, MANIFEST),
    head("/v2/{namespace}/{repository}/manifests/{reference}", 300),
    put("/v2/{namespace}/{repository}/manifests/{reference}", 20, MANIFEST, Empty).status(201),
    delete("/v2/{namespace}/{repository}/manifests/{digest}", 3).status(202),
    get("/v2/{namespace}/{repository}/blobs/{digest}", 500, Empty),
    head("/v2/{namespace}/{repository}/blobs/{digest}", 200),
    post("/v2/{namespace}/{repository}/blobs/uploads/", 30, Empty, Empty).status(202),
    patch("/v2/{namespace}/{repository}/blobs/uploads/{uuid}", 30, Empty, Empty).status(202),
    put("/v2/{namespace}/{repository}/blobs/uploads/{uuid}", 30, Empty, Empty).status(201).query(&[("digest", Kind::Digest)]),
];

pub const DOCKER_REGISTRY: Model = Model::new("docker_registry", 0xd0c4, REGISTRY_PARAMS, REGISTRY_ENDPOINTS);

const PACKUMENT: Shape = Obj(&[("name", Str), ("dist-tags", Obj(&[("latest", Str)])), ("versions", Obj(&[])), ("time", Obj(&[("modified", DateTime)])), ("license", Str)]);
const VERSION: Shape = Obj(&[("name", Str), ("version", Str), ("dependencies", Obj(&[])), ("dist", Obj(&[("tarball", Url), ("shasum", Str), ("integrity", Str)]))]);

const NPM_PARAMS: &[Param] = &[
    param("package", Kind::NpmPackage, 500),
    param("version", Kind::Either(&[Kind::Semver, Kind::OneOf(&["latest", "next"])]), 60),
    param("tarball", Kind::Tarball, 600),
];

const NPM_ENDPOINTS: &[Endpoint] = &[
    get("/{package}", 800, PACKUMENT),
    get("/{package}/{version}", 60, VERSION),
    get("/{package}/-/{tarball}.tgz", 600, Empty),
    put("/{package}", 3, PACKUMENT, Obj(&[("ok", Bool)])).status(201),
    get("/-/v1/search", 80, Obj(&[("objects", List(&Obj(&[("package", Obj(&[("name", Str), ("version", Str)]))]))), ("total", Int)])).query(&[("text", Kind::Word), ("size", Kind::Int(10, 250))]),
    get("/-/package/{package}/dist-tags", 10, Obj(&[("latest", Str), ("next", Str)])),
    get("/-/whoami", 15, Obj(&[("username", Str)])),
    get("/-/ping", 20, Obj(&[])),
];

pub const NPM: Model = Model::new("npm", 0x0e9a, NPM_PARAMS, NPM_ENDPOINTS);

const PYPI_INFO: Shape = Obj(&[("info", Obj(&[("name", Str), ("version", Str), ("summary", Str), ("author_email", Email), ("license", Str)])), ("urls", List(&Obj(&[("filename", Str), ("url", Url), ("size", Int)]))), ("last_serial", Int)]);

const PYPI_PARAMS: &[Param] = &[
    param("project", Kind::PypiProject, 600),
    param("version", Kind::Semver, 80),
    param("username", Kind::Username, 40),
];

const PYPI_ENDPOINTS: &[Endpoint] = &[
    get("/pypi/{project}/json", 700, PYPI_INFO),
    get("/pypi/{project}/{version}/json", 200, PYPI_INFO),
    get("/simple/", 5, Str),
    get("/simple/{project}/", 400, Obj(&[("meta", Obj(&[("api-version", Str)])), ("name", Str), ("files", List(&Obj(&[("filename", Str), ("url", Url)])))])),
    get("/rss/updates.xml", 10, Str),
    get("/rss/packages.xml", 5, Str),
    get("/project/{project}/", 30, Str),
    get("/user/{username}/", 8, Str),
    get("/search/", 20, Str).query(&[("q", Kind::Word)]),
    post("/legacy/", 4, Obj(&[("name", Str), ("version", Str)]), Empty).status(200),
];

pub const PYPI: Model = Model::new("pypi", 0x9e9e, PYPI_PARAMS, PYPI_ENDPOINTS);

const JIRA_ISSUE: Shape = Obj(&[("id", Str), ("key", Str), ("self", Url), ("fields", Obj(&[("summary", Str), ("status", Obj(&[("name", Str)])), ("assignee", Obj(&[("accountId", Str), ("emailAddress", Email)]))]))]);
const JIRA_COMMENT: Shape = Obj(&[("id", Str), ("body", Obj(&[("type", Str), ("content", List(&Obj(&[("type", Str)])))])), ("author", Obj(&[("accountId", Str)]))]);
const JIRA_PROJECT: Shape = Obj(&[("id", Str), ("key", Str), ("name", Str), ("projectTypeKey", Str)]);

const JIRA_KEYS: &[&str] = &["PROJ", "EX", "OPS", "WEB", "CORE", "DATA", "INFRA", "SEC"];

const JIRA_PARAMS: &[Param] = &[
    param("issueIdOrKey", Kind::Either(&[Kind::Code(JIRA_KEYS), Kind::Code(JIRA_KEYS), Kind::Int(10_000, 99_999)]), 0),
    param("id", Kind::Int(10_000, 999_999), 0),
    param("projectIdOrKey", Kind::OneOf(JIRA_KEYS), 8),
    param("boardId", Kind::Int(1, 400), 12),
    param("sprintId", Kind::Int(1, 3000), 40),
];

const JIRA_ENDPOINTS: &[Endpoint] = &[
    get("/rest/api/3/issue/{issueIdOrKey}", 300, JIRA_ISSUE).query(&[("fields", Kind::OneOf(&["summary,status", "*all"]))]),
    put("/rest/api/3/issue/{issueIdOrKey}", 30, Obj(&[("fields", Obj(&[("summary", Str)]))]), Empty).status(204),
    delete("/rest/api/3/issue/{issueIdOrKey}", 2),
    post("/rest/api/3/issue", 40, Obj(&[("fields", Obj(&[("summary", Str), ("project", Obj(&[("key", Str)]))]))]), Obj(&[("id", Str), ("key", Str), ("self", Url)])),
    get("/rest/api/3/issue/{issueIdOrKey}/comment", 60, Obj(&[("comments", List(&JIRA_COMMENT)), ("total", Int)])),
    post("/rest/api/3/issue/{issueIdOrKey}/comment", 25, Obj(&[("body", Obj(&[("type", Str)]))]), JIRA_COMMENT),
    get("/rest/api/3/issue/{issueIdOrKey}/comment/{id}", 8, JIRA_COMMENT),
    get("/rest/api/3/issue/{issueIdOrKey}/transitions", 30, Obj(&[("transitions", List(&Obj(&[("id", Str), ("name", Str)])))])),
    post("/rest/api/3/issue/{issueIdOrKey}/transitions", 20, Obj(&[("transition", Obj(&[("id", Str)]))]), Empty).status(204),
    get("/rest/api/3/issue/createmeta", 5, Obj(&[("projects", List(&JIRA_PROJECT))])),
    get("/rest/api/3/issue/picker", 10, Obj(&[("sections", List(&Obj(&[("label", Str)])))])).query(&[("query", Kind::Word)]),
    get("/rest/api/3/search", 150, Obj(&[("total", Int), ("issues", List(&JIRA_ISSUE))])).query(&[("jql", Kind::OneOf(&["project%3DPROJ", "assignee%3DcurrentUser()"])), ("maxResults", Kind::Int(10, 100))]),
    post("/rest/api/3/search", 20, Obj(&[("jql", Str), ("maxResults", Int)]), Obj(&[("total", Int), ("issues", List(&JIRA_ISSUE))])).status(200),
    get("/rest/api/3/project", 30, List(&JIRA_PROJECT)),
    get("/rest/api/3/project/{projectIdOrKey}", 40, JIRA_PROJECT),
    get("/rest/api/3/project/{projectIdOrKey}/statuses", 10, List(&Obj(&[("name", Str), ("statuses", List(&Obj(&[("name", Str)])))]))),
    get("/rest/api/3/myself", 80, Obj(&[("accountId", Str), ("emailAddress", Email), ("displayName", Str)])),
    get("/rest/api/3/user", 15, Obj(&[("accountId", Str), ("displayName", Str)])).query(&[("accountId", Kind::Hex(24))]),
    get("/rest/api/3/user/search", 10, List(&Obj(&[("accountId", Str), ("displayName", Str)]))).query(&[("query", Kind::Username)]),
    get("/rest/agile/1.0/board/{boardId}/sprint", 30, Obj(&[("values", List(&Obj(&[("id", Int), ("state", Str), ("name", Str)])))])),
    get("/rest/agile/1.0/sprint/{sprintId}/issue", 25, Obj(&[("issues", List(&JIRA_ISSUE))])),
    get("/rest/api/3/field", 10, List(&Obj(&[("id", Str), ("name", Str), ("custom", Bool)]))),
    get("/rest/api/3/serverInfo", 5, Obj(&[("baseUrl", Url), ("version", Str)])),
];

pub const JIRA: Model = Model::new("jira", 0x51fa, JIRA_PARAMS, JIRA_ENDPOINTS);

const PAGE: Shape = Obj(&[("id", Str), ("type", Str), ("status", Str), ("title", Str), ("space", Obj(&[("key", Str), ("name", Str)])), ("version", Obj(&[("number", Int)]))]);
const SPACE: Shape = Obj(&[("id", Int), ("key", Str), ("name", Str), ("type", Str)]);

const CONFLUENCE_PARAMS: &[Param] = &[
    param("spaceKey", Kind::Either(&[Kind::Upper, Kind::OneOf(&["ENG", "DOCS", "HR", "OPS", "SEC", "~jdoe"])]), 15),
    param("pageId", Kind::Int(100_000, 900_000_000), 500),
    param("title", Kind::PageTitle, 400),
    param("spaceId", Kind::Int(100_000, 9_000_000), 15),
];

const CONFLUENCE_ENDPOINTS: &[Endpoint] = &[
    get("/wiki/spaces/{spaceKey}/pages/{pageId}/{title}", 200, Str),
    get("/wiki/spaces/{spaceKey}/overview", 40, Str),
    get("/wiki/spaces/{spaceKey}/pages", 20, Str),
    get("/wiki/display/{spaceKey}/{title}", 40, Str),
    get("/wiki/rest/api/content", 40, Obj(&[("results", List(&PAGE)), ("size", Int)])).query(&[("spaceKey", Kind::Upper), ("title", Kind::PageTitle)]),
    post("/wiki/rest/api/content", 10, PAGE, PAGE).status(200),
    get("/wiki/rest/api/content/{pageId}", 150, PAGE).query(&[("expand", Kind::OneOf(&["body.storage", "version,space"]))]),
    put("/wiki/rest/api/content/{pageId}", 10, PAGE, PAGE),
    get("/wiki/rest/api/content/{pageId}/child/page", 30, Obj(&[("results", List(&PAGE))])),
    get("/wiki/rest/api/space", 15, Obj(&[("results", List(&SPACE))])),
    get("/wiki/rest/api/space/{spaceKey}", 20, SPACE),
    get("/wiki/rest/api/search", 30, Obj(&[("results", List(&Obj(&[("title", Str), ("url", Url)]))), ("totalSize", Int)])).query(&[("cql", Kind::OneOf(&["type%3Dpage", "text~deploy"]))]),
    get("/wiki/api/v2/pages/{pageId}", 60, PAGE),
    get("/wiki/api/v2/spaces/{spaceId}/pages", 20, Obj(&[("results", List(&PAGE))])),
];

pub const CONFLUENCE: Model = Model::new("confluence", 0xc0f1, CONFLUENCE_PARAMS, CONFLUENCE_ENDPOINTS);
