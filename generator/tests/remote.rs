//! `--remote`: every commit is pushed, never forced. People's merged
//! commits are rebased under ours; a conflict refuses the push and leaves
//! both sides as they were. Over SSH, to a real sshd on loopback, with a
//! key file, a passphrase and an ssh-agent; unknown hosts are refused.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use segment_api::models::{CreateSource, UpdateSource};
use segment_api::Client;
use segment_e2e::fixtures::JAVASCRIPT_SOURCE;
use segment_e2e::{within, TestWorkspace};
use segment_gitops::git::remote::Remote;
use segment_gitops::session::{Options, Session};
use segment_gitops::sync;
use support::git_http::GitHttp;
use support::sshd::Sshd;
use support::{git, process};

const LIMIT: Duration = Duration::from_secs(60);

async fn new_source(api: &Client, slug: &str) -> String {
    api.create_source(&CreateSource {
        slug: slug.into(),
        enabled: true,
        metadata_id: JAVASCRIPT_SOURCE.into(),
        settings: Default::default(),
    })
    .await
    .expect("create source")
    .id
}

async fn rename(api: &Client, id: &str, name: &str) {
    api.update_source(
        id,
        &UpdateSource {
            name: Some(name.into()),
            ..Default::default()
        },
    )
    .await
    .expect("rename source");
}

fn bare(path: &Path) {
    let parent = path.parent().expect("parent");
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    git(parent, &["init", "-q", "--bare", "-b", "main", name]);
}

fn tip(repo: &Path) -> String {
    git(repo, &["rev-parse", "refs/heads/main"])
        .trim()
        .to_string()
}

fn session(ws: &TestWorkspace, repo: &Path, remote: &Path) -> anyhow::Result<Session> {
    Session::open(
        ws.owner().clone(),
        Options {
            repo: repo.to_path_buf(),
            remote: Some(Remote {
                url: remote.display().to_string(),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_go_on_top_of_what_people_pushed_and_conflicts_push_nothing() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = new_source(ws.owner(), "web").await;
    let dir = support::temp_dir();
    let (local, remote, person) = (
        dir.path().join("local"),
        dir.path().join("remote.git"),
        dir.path().join("person"),
    );
    bare(&remote);

    let s = session(&ws, &local, &remote).expect("open");
    within(LIMIT, "export", s.export(&|_| {}, &|| {}))
        .await
        .expect("export");
    let exported = tip(&remote);
    assert_eq!(exported, tip(&local), "the export was pushed");

    // A person merges a change of their own meanwhile.
    git(dir.path(), &["clone", "-q", "remote.git", "person"]);
    std::fs::write(person.join("NOTES.md"), "Reviewed by Pat.\n").expect("notes");
    git(&person, &["add", "NOTES.md"]);
    git(&person, &["commit", "-q", "-m", "Add notes"]);
    git(&person, &["push", "-q", "origin", "main"]);
    let theirs = tip(&remote);

    rename(ws.owner(), &web, "Web v2").await;
    within(LIMIT, "sync", sync::catch_up(&s))
        .await
        .expect("sync pushes on top of the person's commit");
    let pushed = tip(&remote);
    assert_eq!(pushed, tip(&local));
    assert_eq!(
        git(&local, &["rev-parse", "HEAD~1"]).trim(),
        theirs,
        "our commit sits directly on theirs: rebased, not merged or forced"
    );
    assert!(
        local.join("NOTES.md").is_file(),
        "their file is in our tree"
    );
    assert!(std::fs::read_to_string(local.join("source_web.tf"))
        .expect("source file")
        .contains("\"Web v2\""));

    // The person edits the same line the workspace changes next.
    git(&person, &["pull", "-q", "--rebase", "origin", "main"]);
    let file = person.join("source_web.tf");
    let text = std::fs::read_to_string(&file).expect("source file");
    std::fs::write(&file, text.replace("\"Web v2\"", "\"Web (Pat)\"")).expect("edit");
    git(&person, &["commit", "-q", "-am", "Rename web"]);
    git(&person, &["push", "-q", "origin", "main"]);
    let theirs = tip(&remote);

    rename(ws.owner(), &web, "Web v3").await;
    let ours_before = tip(&local);
    let refused = within(LIMIT, "sync", sync::catch_up(&s))
        .await
        .expect_err("a conflicting push is refused");
    let said = format!("{refused:#}");
    assert!(said.contains("source_web.tf"), "{said}");
    assert!(said.contains("Nothing was pushed"), "{said}");
    assert_eq!(tip(&remote), theirs, "the remote is as the person left it");
    assert_ne!(tip(&local), ours_before, "the local commit was made");
    assert_eq!(
        git(&local, &["rev-parse", "HEAD~1"]).trim(),
        ours_before,
        "and kept where it was, not rebased halfway"
    );
    assert_eq!(git(&local, &["status", "--porcelain"]), "", "clean tree");
}

fn gitops(args: &[&str], ws: &TestWorkspace, envs: &[(&str, &str)]) -> process::Finished {
    let mut cmd = Command::new(support::gitops_binary());
    cmd.args(args)
        .env("PUBLIC_API_URL", ws.base_url())
        .env("PUBLIC_API_TOKEN", ws.owner_token())
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("SEGMENT_GITOPS_SSH_PASSPHRASE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    process::run(&mut cmd, LIMIT)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_over_ssh_with_a_key_a_passphrase_or_an_agent_to_known_hosts_only() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = new_source(ws.owner(), "web").await;
    let dir = support::temp_dir();
    let sshd = Sshd::start(dir.path());
    let plain = sshd.user_key("plain_key", "");
    let locked = sshd.user_key("locked_key", "correct horse");
    let agent_key = sshd.user_key("agent_key", "");
    let remote = dir.path().join("remote.git");
    bare(&remote);
    let url = sshd.url(&remote);
    let local = dir.path().join("local");
    let local_s = local.to_str().expect("utf-8 path");
    let known = sshd.known_hosts.to_str().expect("utf-8 path");
    let plain_s = plain.private.to_str().expect("utf-8 path");
    let locked_s = locked.private.to_str().expect("utf-8 path");

    // An unknown host key: refused before anything is sent.
    let empty = dir.path().join("empty_known_hosts");
    std::fs::write(&empty, "").expect("empty known_hosts");
    let empty_s = empty.to_str().expect("utf-8 path");
    let run = |cmd: &str, known: &str, key: Option<&str>, envs: &[(&str, &str)]| {
        let mut a = vec![
            cmd,
            "--repo",
            local_s,
            "--remote",
            &url,
            "--known-hosts",
            known,
        ];
        if let Some(k) = key {
            a.extend(["--ssh-key", k]);
        }
        gitops(&a, &ws, envs)
    };
    let unknown = run("export", empty_s, Some(plain_s), &[]);
    assert!(!unknown.status.success(), "{}", unknown.output());
    assert!(
        unknown
            .stderr
            .contains(&format!("[127.0.0.1]:{}", sshd.port))
            && unknown.stderr.contains("is not in"),
        "{}",
        unknown.output()
    );
    assert_eq!(git(&remote, &["branch", "--list"]), "", "nothing pushed");

    // A key file without a passphrase.
    let first = run("export", known, Some(plain_s), &[]);
    assert!(first.status.success(), "{}\n{}", first.output(), sshd.log());
    assert_eq!(tip(&remote), tip(&local));

    // A key with a passphrase: the wrong one fails and is not echoed.
    rename(ws.owner(), &web, "Web v2").await;
    let wrong = run(
        "sync",
        known,
        Some(locked_s),
        &[("SEGMENT_GITOPS_SSH_PASSPHRASE", "wrong battery")],
    );
    assert!(!wrong.status.success(), "{}", wrong.output());
    assert!(wrong.stderr.contains("locked_key"), "{}", wrong.output());
    assert!(
        !wrong.stderr.contains("wrong battery"),
        "{}",
        wrong.output()
    );
    assert_eq!(tip(&local), tip(&remote), "failed before committing");
    // Committed without the remote, then pushed by the next run.
    let offline = gitops(&["sync", "--repo", local_s], &ws, &[]);
    assert!(offline.status.success(), "{}", offline.output());
    assert_ne!(tip(&remote), tip(&local), "committed locally only");
    let right = run(
        "sync",
        known,
        Some(locked_s),
        &[("SEGMENT_GITOPS_SSH_PASSPHRASE", "correct horse")],
    );
    assert!(right.status.success(), "{}\n{}", right.output(), sshd.log());
    assert_eq!(tip(&remote), tip(&local), "the earlier commit went out");

    // An ssh-agent holding the key, no key file given.
    let socket = dir.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&socket)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start ssh-agent");
    let deadline = std::time::Instant::now() + LIMIT;
    while !socket.exists() {
        assert!(std::time::Instant::now() < deadline, "ssh-agent socket");
        std::thread::sleep(Duration::from_millis(10));
    }
    let socket_s = socket.to_str().expect("utf-8 path");
    let added = process::run(
        Command::new("ssh-add")
            .arg(&agent_key.private)
            .env("SSH_AUTH_SOCK", socket_s),
        LIMIT,
    );
    assert!(added.status.success(), "{}", added.output());
    rename(ws.owner(), &web, "Web v3").await;
    let by_agent = run("sync", known, None, &[("SSH_AUTH_SOCK", socket_s)]);
    let _ = agent.kill();
    let _ = agent.wait();
    assert!(
        by_agent.status.success(),
        "{}\n{}",
        by_agent.output(),
        sshd.log()
    );
    assert_eq!(tip(&remote), tip(&local));
    let pushed = git(&remote, &["show", "main:source_web.tf"]);
    assert!(pushed.contains("\"Web v3\""), "{pushed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_over_http_with_a_token_from_the_environment_only() {
    let ws = TestWorkspace::start().await.expect("workspace");
    new_source(ws.owner(), "web").await;
    let dir = support::temp_dir();
    let remote = dir.path().join("remote.git");
    bare(&remote);
    let server = GitHttp::start(dir.path(), "s3cret-token").await;
    let url = format!("{}/remote.git", server.base);
    let local = dir.path().join("local");
    let export = |token| support::export_to_remote(&ws, local.clone(), url.clone(), token, LIMIT);

    let none = export(None).await;
    assert!(!none.status.success(), "{}", none.output());
    assert!(
        none.stderr.contains("SEGMENT_GITOPS_GIT_TOKEN"),
        "says how to give one: {}",
        none.output()
    );
    let wrong = export(Some("not-the-token")).await;
    assert!(!wrong.status.success(), "{}", wrong.output());
    assert!(
        !wrong.stderr.contains("not-the-token"),
        "{}",
        wrong.output()
    );
    assert_eq!(git(&remote, &["branch", "--list"]), "", "nothing pushed");

    let right = export(Some("s3cret-token")).await;
    assert!(right.status.success(), "{}", right.output());
    assert!(!right.stdout.contains("s3cret-token"));
    assert_eq!(tip(&remote), tip(&local));
}
