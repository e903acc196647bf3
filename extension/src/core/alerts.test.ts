import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertOnOf, alertsOn, parseAlertOn, summaryAlerts } from './alerts';

test('substantive changes always alert, minor ones only when opted in, trivial ones never', () => {
  assert.equal(alertsOn('substantive', 'substantive'), true);
  assert.equal(alertsOn('substantive', 'minor'), false);
  assert.equal(alertsOn('substantive', 'trivial'), false);
  assert.equal(alertsOn('minor', 'substantive'), true);
  assert.equal(alertsOn('minor', 'minor'), true);
  assert.equal(alertsOn('minor', 'trivial'), false);
  assert.equal(alertsOn('minor', undefined), false);
  assert.equal(summaryAlerts('substantive', null), false);
  assert.equal(summaryAlerts('minor', { significance: 'minor' }), true);
});

test('a policy is read only from the two words the daemon says', () => {
  assert.equal(parseAlertOn('minor'), 'minor');
  assert.equal(parseAlertOn('substantive'), 'substantive');
  for (const bad of ['', 'Minor', 'trivial', 'all', 1, null, undefined, {}]) assert.equal(parseAlertOn(bad), null);
  assert.equal(alertOnOf({ alert_on: 'minor' }), 'minor');
  assert.equal(alertOnOf({ alert_on: 'loud' }), null);
  assert.equal(alertOnOf(null), null);
  assert.equal(alertOnOf('minor'), null);
});
