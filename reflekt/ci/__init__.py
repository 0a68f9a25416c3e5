"""What the GitHub Action (action.yml) runs: Reflekt in CI, its report, one PR comment.

Stdlib only (urllib, subprocess): it runs on a fresh runner right after `pip install`, and
its HTTP and git calls are small and few.
"""
