//! Who is the agent?
//!
//! In order: an explicit list from the caller (`option`), the transcript's `# agent:`
//! header (`header`), roles given by the source file (`file`), speaker names
//! (`name`: Agent, Rep, Advisor, Operator, Receptionist, Staff, Trainee...; or, when some
//! speakers are named Customer / Caller / Client and the others are not, the others), and
//! last `inference`: the speaker with the strongest signs of speaking for an organisation
//! ("thank you for calling", "you've reached", "how can I help" count double; "calling
//! from", "Jo speaking", "Jo from Acme" once), ties going to who spoke first; with no sign
//! at all, the first speaker. Names compare case-insensitively.

use crate::error::{Error, Result};
use crate::fold::fold_str;
use crate::matcher::{Hits, ListId, PhraseBook};
use crate::transcript::{AgentBy, AgentInfo, Role, Transcript};

/// The phrase lists role assignment reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RoleLists {
    pub agent_names: ListId,
    pub customer_names: ListId,
    pub service: ListId,
    pub org: ListId,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim()) || a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Assign roles to every turn and record who the agent is.
pub(crate) fn assign(
    t: &mut Transcript,
    agents: &[String],
    book: &PhraseBook,
    lists: &RoleLists,
    hits: &Hits,
) -> Result<()> {
    if t.turns.is_empty() {
        let hint = if !t.warnings.is_empty() {
            "no line has the form `Speaker: words`"
        } else if t.events.is_empty()
            && t.header_agents.is_none()
            && t.orgs.is_empty()
            && t.title.is_none()
        {
            "the input is empty"
        } else {
            "it has only headers, comments and events"
        };
        return Err(Error::NoSpeech {
            hint: Some(hint.to_string()),
        });
    }
    let speakers = t.speakers();
    if t.agent.as_ref().is_some_and(|a| a.by == AgentBy::File) && agents.is_empty() {
        return Ok(()); // roles came with the file
    }
    let pick = |names: &[String]| -> Vec<String> {
        speakers
            .iter()
            .filter(|s| names.iter().any(|n| same(n, s)))
            .cloned()
            .collect()
    };
    let (chosen, by) = if !agents.is_empty() {
        let c = pick(agents);
        if c.is_empty() {
            return Err(Error::AgentNotFound {
                names: agents.to_vec(),
                by: "given as an option".into(),
                speakers,
                line: None,
            });
        }
        (c, AgentBy::Option)
    } else if let Some((names, line)) = t.header_agents.clone() {
        let c = pick(&names);
        if c.is_empty() {
            return Err(Error::AgentNotFound {
                names,
                by: "named in the `# agent:` header".into(),
                speakers,
                line: Some(line),
            });
        }
        (c, AgentBy::Header)
    } else {
        let folded: Vec<String> = speakers.iter().map(|s| fold_str(s)).collect();
        let named: Vec<String> = speakers
            .iter()
            .zip(&folded)
            .filter(|(_, f)| book.is_match(lists.agent_names, f))
            .map(|(s, _)| s.clone())
            .collect();
        let customers: Vec<bool> = folded
            .iter()
            .map(|f| book.is_match(lists.customer_names, f))
            .collect();
        if !named.is_empty() {
            (named, AgentBy::Name)
        } else if customers.iter().any(|&c| c) && customers.iter().any(|&c| !c) {
            let others = speakers
                .iter()
                .zip(&customers)
                .filter(|(_, &c)| !c)
                .map(|(s, _)| s.clone())
                .collect();
            (others, AgentBy::Name)
        } else {
            (vec![infer(t, &speakers, lists, hits)], AgentBy::Inference)
        }
    };
    let agents: std::collections::HashSet<&str> = chosen.iter().map(String::as_str).collect();
    for turn in &mut t.turns {
        turn.role = if agents.contains(turn.speaker.as_str()) {
            Role::Agent
        } else {
            Role::Customer
        };
    }
    t.agent = Some(AgentInfo {
        speakers: chosen,
        by,
    });
    Ok(())
}

/// The speaker with the most signs of speaking for an organisation; else the first.
fn infer(t: &Transcript, speakers: &[String], lists: &RoleLists, hits: &Hits) -> String {
    let mut score = vec![0u32; speakers.len()];
    let index: std::collections::HashMap<&str, usize> = speakers
        .iter()
        .enumerate()
        .map(|(k, s)| (s.as_str(), k))
        .collect();
    for (list, w) in [(lists.service, 2), (lists.org, 1)] {
        for h in hits.of(list) {
            if let Some(&k) = index.get(t.turns[h.turn].speaker.as_str()) {
                score[k] += w;
            }
        }
    }
    let mut best = 0;
    for k in 1..speakers.len() {
        if score[k] > score[best] {
            best = k;
        }
    }
    speakers[best].clone()
}
