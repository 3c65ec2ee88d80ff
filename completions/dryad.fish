function __dryad_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __dryad_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __dryad_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __dryad_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __dryad_parse_tokens -S
    set -l unparsed_tokens (__dryad_tokens -pc)
    switch $unparsed_tokens[1]
    case 'dryad'
        __dryad_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'tools'
            __dryad_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'register'
                __dryad_parse_subcommand 1 'db=' 'o/output=' 'description=' 'version=' 'input-schema=' 'output-schema=' 'command=+' 'http=' 'method=' 'header=+' 'env=+' 'cwd=' 'timeout=' 'tag=+' 'metadata=' 'f/file=' 'version' 'h/help'
            case 'list'
                __dryad_parse_subcommand 0 'db=' 'o/output=' 'query=' 'tag=+' 'status=' 'all-versions' 'limit=' 'cursor=' 'version' 'h/help'
            case 'get'
                __dryad_parse_subcommand 1 'db=' 'o/output=' 'version' 'h/help'
            case 'update'
                __dryad_parse_subcommand 1 'db=' 'o/output=' 'description=' 'tag=+' 'clear-tags' 'metadata=' 'status=' 'command=+' 'http=' 'method=' 'header=+' 'env=+' 'cwd=' 'timeout=' 'no-executor' 'if-revision=' 'version' 'h/help'
            case 'delete'
                __dryad_parse_subcommand 1 'db=' 'o/output=' 'all-versions' 'version' 'h/help'
            end
        case 'db'
            __dryad_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'status'
                __dryad_parse_subcommand 0 'db=' 'o/output=' 'version' 'h/help'
            end
        case 'version'
            __dryad_parse_subcommand 0 'db=' 'o/output=' 'version' 'h/help'
        case 'help'
            __dryad_parse_subcommand -r 1 'version'
        end
    end
end

function __dryad_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __dryad_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __dryad_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __dryad_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__dryad_tokens -p)
    if test -z "$(__dryad_tokens -t)"
        set -l index (count (__dryad_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'dryad' -f
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad" -eq 1' -fa 'tools' -d 'Register, find, update and delete tools.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad" -eq 1' -fa 'db' -d 'Inspect the database file.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad" -eq 1' -fa 'version' -d 'Print the dryad version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad tools" -eq 1' -fa 'register' -d 'Register a tool version from flags, or definitions from a JSON/YAML file.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad tools" -eq 1' -fa 'list' -d 'List tools sorted by name (latest version of each unless --all-versions).'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad tools" -eq 1' -fa 'get' -d 'Show a tool: NAME (latest version), NAME@VERSION or id.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad tools" -eq 1' -fa 'update' -d 'Change the description, tags, metadata, status or executor of a tool version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad tools" -eq 1' -fa 'delete' -d 'Delete a tool version (NAME@VERSION) or a tool (NAME; --all-versions when it has several).'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" db' -l 'db' -d 'SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" o output' -s 'o' -l 'output' -d 'Output format: table, json or jsonl.' -rfka 'table json jsonl'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" description' -l 'description' -d 'What the tool does (required without --file).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" version' -l 'version' -d 'Semantic version (default 1.0.0).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" input-schema' -l 'input-schema' -d 'JSON Schema of the input, inline or @FILE (default {"type":"object"}).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" output-schema' -l 'output-schema' -d 'JSON Schema of the output, inline or @FILE.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register"' -l 'command' -d 'Run a program: the first --command is the program, each further one an argument.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" http' -l 'http' -d 'Send the input as JSON to this http(s) URL.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" method' -l 'method' -d 'HTTP method for --http (default POST).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register"' -l 'header' -d 'HTTP header for --http, as \'Name: value\' (repeatable).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register"' -l 'env' -d 'Environment variable for --command, as NAME=VALUE (repeatable).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" cwd' -l 'cwd' -d 'Working directory for --command (absolute path).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" timeout' -l 'timeout' -d 'Seconds a run may take (default 30).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register"' -l 'tag' -d 'Tag (repeatable).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" metadata' -l 'metadata' -d 'Metadata object, inline or @FILE.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" f file' -l 'file' -s 'f' -d 'JSON or YAML file with one definition or a list (\'-\' for stdin).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools register" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list" db' -l 'db' -d 'SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list" o output' -s 'o' -l 'output' -d 'Output format: table, json or jsonl.' -rfka 'table json jsonl'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list" query' -l 'query' -d 'Match name, description or tags (case-insensitive substring).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list"' -l 'tag' -d 'Only tools with this tag (repeatable; all must match).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list" status' -l 'status' -d 'Only versions with this status: active, deprecated or disabled.' -rfka 'active deprecated disabled'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list" all-versions' -l 'all-versions' -d 'List every version, not only the latest.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list" limit' -l 'limit' -d 'Items per page (1-1000).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list" cursor' -l 'cursor' -d 'Continue from the cursor a previous page printed.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools get" db' -l 'db' -d 'SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools get" o output' -s 'o' -l 'output' -d 'Output format: table, json or jsonl.' -rfka 'table json jsonl'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools get" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" db' -l 'db' -d 'SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" o output' -s 'o' -l 'output' -d 'Output format: table, json or jsonl.' -rfka 'table json jsonl'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" description' -l 'description' -d 'New description.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update"' -l 'tag' -d 'Replace the tags with these (repeatable).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" clear-tags' -l 'clear-tags' -d 'Remove every tag.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" metadata' -l 'metadata' -d 'Replace the metadata object, inline or @FILE.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" status' -l 'status' -d 'New status: active, deprecated or disabled.' -rfka 'active deprecated disabled'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update"' -l 'command' -d 'Run a program: the first --command is the program, each further one an argument.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" http' -l 'http' -d 'Send the input as JSON to this http(s) URL.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" method' -l 'method' -d 'HTTP method for --http (default POST).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update"' -l 'header' -d 'HTTP header for --http, as \'Name: value\' (repeatable).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update"' -l 'env' -d 'Environment variable for --command, as NAME=VALUE (repeatable).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" cwd' -l 'cwd' -d 'Working directory for --command (absolute path).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" timeout' -l 'timeout' -d 'Seconds a run may take (default 30).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" no-executor' -l 'no-executor' -d 'Remove the executor.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" if-revision' -l 'if-revision' -d 'Refuse the update (exit 5) unless the version is at this revision.' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools update" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools delete" db' -l 'db' -d 'SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools delete" o output' -s 'o' -l 'output' -d 'Output format: table, json or jsonl.' -rfka 'table json jsonl'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools delete" all-versions' -l 'all-versions' -d 'Delete every version of the tool.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools delete" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad tools delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad db" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad db" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_positional "dryad db" -eq 1' -fa 'status' -d 'Show the database path, schema version, SQLite version and row counts.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad db status" db' -l 'db' -d 'SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad db status" o output' -s 'o' -l 'output' -d 'Output format: table, json or jsonl.' -rfka 'table json jsonl'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad db status" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad db status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad version" db' -l 'db' -d 'SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).' -rfka ''
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad version" o output' -s 'o' -l 'output' -d 'Output format: table, json or jsonl.' -rfka 'table json jsonl'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad version" version' -l 'version' -d 'Show the version.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad version" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dryad' -n '__dryad_should_offer_completions_for_flags_or_options "dryad help" version' -l 'version' -d 'Show the version.'
