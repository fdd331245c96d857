// Site-wide settings that a team hosting its own copy changes. KB_REPO_URL and KB_REPO_BRANCH set
// where "Edit this page" points.
export const SITE = {
  title: 'runbook-repros',
  tagline: 'Kubernetes incident postmortems with runnable, tested repros',
  repoUrl: (process.env.KB_REPO_URL ?? 'https://github.com/runbook-repros/runbook-repros').replace(/\/$/, ''),
  branch: process.env.KB_REPO_BRANCH ?? 'main',
};

export function editUrl(repoPath: string): string {
  return `${SITE.repoUrl}/edit/${SITE.branch}/${repoPath}`;
}
