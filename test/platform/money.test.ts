import { describe, expect, it } from 'vitest';
import { decimalOf, moneyOfNumber, moneyText, penceOf, penceText, readMoney } from '../../src/platform/money.js';

describe('money, one rule for every form and file', () => {
  it('reads amounts exactly, with or without the pound sign, commas and pence, and refuses anything else', () => {
    expect(readMoney('£1,250.50')).toBe('1250.50');
    expect(readMoney('1250.5')).toBe('1250.50');
    expect(readMoney('£300')).toBe('300.00');
    expect(readMoney(' £ 0.29 ')).toBe('0.29');
    expect(readMoney('0.1')).toBe('0.10');
    expect(readMoney('99999999.99')).toBe('99999999.99');
    for (const bad of ['', '£', '1.005', '12,50', '1,2,3', '£-5', '-5', '1e3', '10k', 'ten pounds', '1,2345', '£1 000', '.5', '0x10', '9999999999999']) {
      expect(readMoney(bad), bad).toBeNull();
    }
  });

  it('keeps pence exact through sums: 10p and 20p make 30p', () => {
    expect(penceOf(readMoney('0.10')) + penceOf(readMoney('0.20'))).toBe(30);
    expect(penceOf('7500.5')).toBe(750_050);
    expect(penceOf('-3.2')).toBe(-320);
    expect(penceOf('1.005')).toBe(101);
    expect(decimalOf(750_050)).toBe('7500.50');
    expect(decimalOf(-5)).toBe('-0.05');
    expect(moneyOfNumber(2500.5)).toBe('2500.50');
    expect(moneyOfNumber(0.125)).toBeNull();
  });

  it('shows amounts as pounds with commas', () => {
    expect(moneyText('1234567.00')).toBe('£1,234,567');
    expect(moneyText('1500.50')).toBe('£1,500.50');
    expect(moneyText(null)).toBe('');
    expect(penceText(123_456_789)).toBe('£1,234,567.89');
    expect(penceText(1250)).toBe('£12.50');
  });
});
