#!/bin/bash

__dryad_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__dryad_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__dryad_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__dryad_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_dryad() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(-h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    tools|sessions|executions|memory|trace|errors|principals|perms|tokens|keys|audit|apply|export|import|serve|mcp|servers|db|version|help)
        # Offer subcommand argument completions
        "_dryad_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'tools sessions executions memory trace errors principals perms tokens keys audit apply export import serve mcp servers db version help' -- "${cur}"))
        ;;
    esac
}

_dryad_tools() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    register|list|get|update|delete|execute|history|stats)
        # Offer subcommand argument completions
        "_dryad_tools_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'register list get update delete execute history stats' -- "${cur}"))
        ;;
    esac
}

_dryad_tools_register() {
    repeating_flags=()
    non_repeating_flags=(--allow-private --network -h --help)
    repeating_options=(--command --header --env --allow-read --allow-write --tag)
    non_repeating_options=(--db -o --output --as --token-file --key-file --description --version --input-schema --output-schema --http --method --cwd --sandbox --timeout --metadata --file -f)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--description')
        return
        ;;
    '--version')
        return
        ;;
    '--input-schema')
        return
        ;;
    '--output-schema')
        return
        ;;
    '--command')
        return
        ;;
    '--http')
        return
        ;;
    '--method')
        return
        ;;
    '--header')
        return
        ;;
    '--env')
        return
        ;;
    '--cwd')
        return
        ;;
    '--sandbox')
        __dryad_add_completions -W 'contained'$'\n''none'
        return
        ;;
    '--allow-read')
        return
        ;;
    '--allow-write')
        return
        ;;
    '--timeout')
        return
        ;;
    '--tag')
        return
        ;;
    '--metadata')
        return
        ;;
    '--file'|'-f')
        return
        ;;
    esac
}

_dryad_tools_list() {
    repeating_flags=()
    non_repeating_flags=(--all-versions -h --help)
    repeating_options=(--tag)
    non_repeating_options=(--db -o --output --as --token-file --key-file --query --status --sandbox --can --limit --cursor)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--query')
        return
        ;;
    '--tag')
        return
        ;;
    '--status')
        __dryad_add_completions -W 'active'$'\n''deprecated'$'\n''disabled'
        return
        ;;
    '--sandbox')
        __dryad_add_completions -W 'contained'$'\n''none'
        return
        ;;
    '--can')
        __dryad_add_completions -W 'read'$'\n''write'$'\n''execute'
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac
}

_dryad_tools_get() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion tools get -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_tools_update() {
    repeating_flags=()
    non_repeating_flags=(--clear-tags --allow-private --network --no-executor -h --help)
    repeating_options=(--tag --command --header --env --allow-read --allow-write)
    non_repeating_options=(--db -o --output --as --token-file --key-file --description --metadata --status --http --method --cwd --sandbox --timeout --if-revision)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--description')
        return
        ;;
    '--tag')
        return
        ;;
    '--metadata')
        return
        ;;
    '--status')
        __dryad_add_completions -W 'active'$'\n''deprecated'$'\n''disabled'
        return
        ;;
    '--command')
        return
        ;;
    '--http')
        return
        ;;
    '--method')
        return
        ;;
    '--header')
        return
        ;;
    '--env')
        return
        ;;
    '--cwd')
        return
        ;;
    '--sandbox')
        __dryad_add_completions -W 'contained'$'\n''none'
        return
        ;;
    '--allow-read')
        return
        ;;
    '--allow-write')
        return
        ;;
    '--timeout')
        return
        ;;
    '--if-revision')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion tools update -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_tools_delete() {
    repeating_flags=()
    non_repeating_flags=(--all-versions -h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion tools delete -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_tools_execute() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --input --input-file --session --context --input-from --store-output --if-version --on-conflict --tool-user --timeout)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--input')
        return
        ;;
    '--input-file')
        return
        ;;
    '--session')
        return
        ;;
    '--context')
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion tools execute -- --context "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    '--input-from')
        return
        ;;
    '--store-output')
        return
        ;;
    '--if-version')
        return
        ;;
    '--on-conflict')
        __dryad_add_completions -W 'reject'$'\n''merge'
        return
        ;;
    '--tool-user')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion tools execute -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_tools_history() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --status --session --context --since --limit --cursor)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--status')
        __dryad_add_completions -W 'succeeded'$'\n''failed'$'\n''timed_out'$'\n''cancelled'$'\n''rejected'$'\n''denied'
        return
        ;;
    '--session')
        return
        ;;
    '--context')
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion tools history -- --context "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    '--since')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion tools history -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_tools_stats() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --since --series --until)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--since')
        return
        ;;
    '--series')
        return
        ;;
    '--until')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion tools stats -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_sessions() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    start|end|list|show)
        # Offer subcommand argument completions
        "_dryad_sessions_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'start end list show' -- "${cur}"))
        ;;
    esac
}

_dryad_sessions_start() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --label)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--label')
        return
        ;;
    esac
}

_dryad_sessions_end() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_sessions_list() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --limit --cursor)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac
}

_dryad_sessions_show() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --limit --cursor)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac
}

_dryad_executions() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|show)
        # Offer subcommand argument completions
        "_dryad_executions_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list show' -- "${cur}"))
        ;;
    esac
}

_dryad_executions_list() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --status --session --context --since --principal --limit --cursor)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--status')
        __dryad_add_completions -W 'succeeded'$'\n''failed'$'\n''timed_out'$'\n''cancelled'$'\n''rejected'$'\n''denied'
        return
        ;;
    '--session')
        return
        ;;
    '--context')
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion executions list -- --context "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    '--since')
        return
        ;;
    '--principal')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac
}

_dryad_executions_show() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_memory() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    store|get|update|history|list|search|parents|children|share|unshare|delete|purge)
        # Offer subcommand argument completions
        "_dryad_memory_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'store get update history list search parents children share unshare delete purge' -- "${cur}"))
        ;;
    esac
}

_dryad_memory_store() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--tag)
    non_repeating_options=(--db -o --output --as --token-file --key-file --agent --type --parent --data --data-file --ttl --key)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--agent')
        return
        ;;
    '--type')
        return
        ;;
    '--parent')
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion memory store -- --parent "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    '--data')
        return
        ;;
    '--data-file')
        return
        ;;
    '--tag')
        return
        ;;
    '--ttl')
        return
        ;;
    '--key')
        return
        ;;
    esac
}

_dryad_memory_get() {
    repeating_flags=()
    non_repeating_flags=(--resolved --explain --with-runs -h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --key --agent)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--key')
        return
        ;;
    '--agent')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion memory get -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_memory_update() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--tag)
    non_repeating_options=(--db -o --output --as --token-file --key-file --data --data-file --merge-patch --merge-patch-file --if-version --on-conflict --ttl)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--data')
        return
        ;;
    '--data-file')
        return
        ;;
    '--merge-patch')
        return
        ;;
    '--merge-patch-file')
        return
        ;;
    '--if-version')
        return
        ;;
    '--on-conflict')
        __dryad_add_completions -W 'reject'$'\n''merge'
        return
        ;;
    '--tag')
        return
        ;;
    '--ttl')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion memory update -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_memory_history() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --limit --cursor)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion memory history -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_memory_list() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--tag)
    non_repeating_options=(--db -o --output --as --token-file --key-file --agent --type --limit --cursor --parent)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--agent')
        return
        ;;
    '--type')
        return
        ;;
    '--tag')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    '--parent')
        return
        ;;
    esac
}

_dryad_memory_search() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--tag)
    non_repeating_options=(--db -o --output --as --token-file --key-file --agent --type --limit --cursor --since)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--agent')
        return
        ;;
    '--type')
        return
        ;;
    '--tag')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    '--since')
        return
        ;;
    esac
}

_dryad_memory_parents() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --limit --cursor)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion memory parents -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_memory_children() {
    repeating_flags=()
    non_repeating_flags=(--recursive -h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --limit --cursor)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion memory children -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_memory_share() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --with --access)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--with')
        return
        ;;
    '--access')
        __dryad_add_completions -W 'read'$'\n''write'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion memory share -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_memory_unshare() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --with)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--with')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion memory unshare -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_memory_delete() {
    repeating_flags=()
    non_repeating_flags=(--recursive -h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion memory delete -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_memory_purge() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_trace() {
    repeating_flags=()
    non_repeating_flags=(--subtree -h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --since --limit --cursor)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--since')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion trace -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_errors() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    log|list|show|resolve)
        # Offer subcommand argument completions
        "_dryad_errors_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'log list show resolve' -- "${cur}"))
        ;;
    esac
}

_dryad_errors_log() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --type --message --stack-trace --context)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--type')
        return
        ;;
    '--message')
        return
        ;;
    '--stack-trace')
        return
        ;;
    '--context')
        return
        ;;
    esac
}

_dryad_errors_list() {
    repeating_flags=()
    non_repeating_flags=(--unresolved -h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --context --type --since --limit --cursor)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--context')
        return
        ;;
    '--type')
        return
        ;;
    '--since')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac
}

_dryad_errors_show() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_errors_resolve() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --note)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--note')
        return
        ;;
    esac
}

_dryad_principals() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|show|disable|enable|set-role|remove|set-limit|quota|set-quota)
        # Offer subcommand argument completions
        "_dryad_principals_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list show disable enable set-role remove set-limit quota set-quota' -- "${cur}"))
        ;;
    esac
}

_dryad_principals_add() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --type --role)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--type')
        __dryad_add_completions -W 'user'$'\n''agent'$'\n''service'
        return
        ;;
    '--role')
        __dryad_add_completions -W 'admin'$'\n''member'
        return
        ;;
    esac
}

_dryad_principals_list() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_principals_show() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_principals_disable() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_principals_enable() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_principals_set-role() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    2)
        __dryad_add_completions -W 'admin'$'\n''member'
        return
        ;;
    esac
}

_dryad_principals_remove() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_principals_set-limit() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --rate --burst)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--rate')
        return
        ;;
    '--burst')
        return
        ;;
    esac
}

_dryad_principals_quota() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_principals_set-quota() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --memory-bytes --error-logs --sessions)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--memory-bytes')
        return
        ;;
    '--error-logs')
        return
        ;;
    '--sessions')
        return
        ;;
    esac
}

_dryad_perms() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    grant|revoke|list|check)
        # Offer subcommand argument completions
        "_dryad_perms_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'grant revoke list check' -- "${cur}"))
        ;;
    esac
}

_dryad_perms_grant() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --principal --principal-type --level)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--principal')
        return
        ;;
    '--principal-type')
        __dryad_add_completions -W 'user'$'\n''agent'$'\n''service'
        return
        ;;
    '--level')
        __dryad_add_completions -W 'read'$'\n''write'$'\n''execute'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion perms grant -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_perms_revoke() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --principal --principal-type --level)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--principal')
        return
        ;;
    '--principal-type')
        __dryad_add_completions -W 'user'$'\n''agent'$'\n''service'
        return
        ;;
    '--level')
        __dryad_add_completions -W 'read'$'\n''write'$'\n''execute'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion perms revoke -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_perms_list() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --tool --principal)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--tool')
        return
        ;;
    '--principal')
        return
        ;;
    esac
}

_dryad_perms_check() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --principal --level)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--principal')
        return
        ;;
    '--level')
        __dryad_add_completions -W 'read'$'\n''write'$'\n''execute'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion perms check -- positional@0 "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dryad_tokens() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    issue|list|revoke)
        # Offer subcommand argument completions
        "_dryad_tokens_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'issue list revoke' -- "${cur}"))
        ;;
    esac
}

_dryad_tokens_issue() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --ttl --output-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--ttl')
        return
        ;;
    '--output-file')
        return
        ;;
    esac
}

_dryad_tokens_list() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_tokens_revoke() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_keys() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    rotate|rotate-kek)
        # Offer subcommand argument completions
        "_dryad_keys_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'rotate rotate-kek' -- "${cur}"))
        ;;
    esac
}

_dryad_keys_rotate() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_keys_rotate-kek() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_audit() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|verify|head|prune|export)
        # Offer subcommand argument completions
        "_dryad_audit_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list verify head prune export' -- "${cur}"))
        ;;
    esac
}

_dryad_audit_list() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --principal --action --decision --resource --since --limit --cursor)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--principal')
        return
        ;;
    '--action')
        return
        ;;
    '--decision')
        return
        ;;
    '--resource')
        return
        ;;
    '--since')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    esac
}

_dryad_audit_verify() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_audit_head() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_audit_prune() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --before)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--before')
        return
        ;;
    esac
}

_dryad_audit_export() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --since)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--since')
        return
        ;;
    esac
}

_dryad_apply() {
    repeating_flags=()
    non_repeating_flags=(--dry-run -h --help)
    repeating_options=(-f --file)
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '-f'|'--file')
        return
        ;;
    esac
}

_dryad_export() {
    repeating_flags=()
    non_repeating_flags=(--encrypt -h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --include --output-file --encryption-key)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--include')
        return
        ;;
    '--output-file')
        return
        ;;
    '--encryption-key')
        return
        ;;
    esac
}

_dryad_import() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --encryption-key)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--encryption-key')
        return
        ;;
    esac
}

_dryad_serve() {
    repeating_flags=()
    non_repeating_flags=(--metrics-public -h --help)
    repeating_options=()
    non_repeating_options=(--db --host --port --rate --burst --max-body --token-failure-burst --max-connections --log-format --audit-reads --read-cache --tls-cert --key-file --tool-user --tls-key)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--rate')
        return
        ;;
    '--burst')
        return
        ;;
    '--max-body')
        return
        ;;
    '--token-failure-burst')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--log-format')
        return
        ;;
    '--audit-reads')
        return
        ;;
    '--read-cache')
        return
        ;;
    '--tls-cert')
        return
        ;;
    '--key-file')
        return
        ;;
    '--tool-user')
        return
        ;;
    '--tls-key')
        return
        ;;
    esac
}

_dryad_mcp() {
    repeating_flags=()
    non_repeating_flags=(--search-only -h --help)
    repeating_options=(--tag)
    non_repeating_options=(--db -o --output --as --token-file --key-file --context)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--context')
        __dryad_add_completions -W "$(__dryad_custom_complete ---completion mcp -- --context "${COMP_CWORD}" "$(__dryad_cursor_index_in_current_word)")"
        return
        ;;
    '--tag')
        return
        ;;
    esac
}

_dryad_servers() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|get|sync|remove)
        # Offer subcommand argument completions
        "_dryad_servers_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list get sync remove' -- "${cur}"))
        ;;
    esac
}

_dryad_servers_add() {
    repeating_flags=()
    non_repeating_flags=(--allow-private --network --auto-sync -h --help)
    repeating_options=(--command --header --env --allow-read --allow-write --include --exclude)
    non_repeating_options=(--db -o --output --as --token-file --key-file --file -f --url --cwd --sandbox --prefix)
    __dryad_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--file'|'-f')
        return
        ;;
    '--command')
        return
        ;;
    '--url')
        return
        ;;
    '--header')
        return
        ;;
    '--env')
        return
        ;;
    '--cwd')
        return
        ;;
    '--sandbox')
        __dryad_add_completions -W 'contained'$'\n''none'
        return
        ;;
    '--allow-read')
        return
        ;;
    '--allow-write')
        return
        ;;
    '--prefix')
        return
        ;;
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    esac
}

_dryad_servers_list() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_servers_get() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_servers_sync() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_servers_remove() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_db() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __dryad_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    status|backup|restore|check|migrate|vacuum)
        # Offer subcommand argument completions
        "_dryad_db_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'status backup restore check migrate vacuum' -- "${cur}"))
        ;;
    esac
}

_dryad_db_status() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_db_backup() {
    repeating_flags=()
    non_repeating_flags=(--encrypt -h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --encryption-key)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--encryption-key')
        return
        ;;
    esac
}

_dryad_db_restore() {
    repeating_flags=()
    non_repeating_flags=(--yes -h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file --encryption-key)
    __dryad_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    '--encryption-key')
        return
        ;;
    esac
}

_dryad_db_check() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_db_migrate() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_db_vacuum() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_version() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--db -o --output --as --token-file --key-file)
    __dryad_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '-o'|'--output')
        __dryad_add_completions -W 'table'$'\n''json'$'\n''jsonl'
        return
        ;;
    '--as')
        return
        ;;
    '--token-file')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_dryad_help() {
    :
}

complete -o filenames -F _dryad dryad
