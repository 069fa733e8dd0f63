"""Where the program of a simple command starts, past assignments, keywords and wrappers.

``sudo -u x docker run`` runs ``docker``, and so do ``env -i X=1 docker``, ``time -p
docker`` and ``ssh host docker``.  Both ways of splitting commands (the tolerant lexer and
bashlex) call :func:`program_start`, so they agree on where ``argv`` begins.
"""

from __future__ import annotations

import posixpath

from dockward.readers.commands.words import Word, is_assignment

_RESERVED_LEADING = frozenset({"if", "then", "else", "elif", "do", "while", "until", "{", "!",
                               "fi", "done", "}", "esac"})
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh", "mksh", "busybox"})

# wrapper -> (options that take a value, how many positional words it consumes)
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-R",
                        "--user", "--group", "--host", "--prompt", "--chdir", "--role",
                        "--type", "--other-user", "--close-from", "--command-timeout",
                        "--chroot"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}), 0),
    "exec": (frozenset({"-a"}), 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "nohup": (frozenset(), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "-P", "-u", "--class", "--classdata"}), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "stdbuf": (frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}), 0),
    "setsid": (frozenset(), 0),
    "chronic": (frozenset(), 0),
    "ssh": (frozenset({"-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m",
                       "-O", "-o", "-p", "-Q", "-R", "-S", "-W", "-w", "-B"}), 1),
}


def program_start(words: list[Word]) -> int:
    """Index of the word that names the program, after assignments and wrappers."""
    i = 0
    n = len(words)
    while i < n and not words[i].quoted and words[i].text in _RESERVED_LEADING:
        i += 1
    if i < n and words[i].text == "time" and not words[i].quoted:
        i += 1
        if i < n and words[i].text == "-p":
            i += 1
    while i < n:
        while i < n and is_assignment(words[i]):
            i += 1
        if i >= n:
            return i
        name = posixpath.basename(words[i].text)
        wrapper = _WRAPPERS.get(name)
        if wrapper is None:
            return i
        value_opts, positional = wrapper
        j = i + 1
        while j < n:
            text = words[j].text
            if text == "--":
                j += 1
                break
            if not text.startswith("-") or text == "-":
                break
            j += 2 if text in value_opts else 1
        j += positional
        if j >= n:
            return i  # `sudo -v`, `ssh host`: the wrapper is the program
        if name == "ssh" and j == n - 1 and any(c.isspace() for c in words[j].text):
            return i  # `ssh host 'docker run ...'`: a remote script, read by split._inline_script
        i = j
    return i
